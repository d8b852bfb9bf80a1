import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Tab, TabContent, TabsBar, useStyles2 } from '@grafana/ui';
import type { SettingsTab } from '@jobscope/contract';
import { GeneralTab } from '../components/GeneralTab/GeneralTab';
import { JobsTab } from '../components/JobsTab/JobsTab';
import { QueuesTab } from '../components/QueuesTab/QueuesTab';
import { useSettingsTab } from '../hooks/useSettingsTab';

const TAB_LABELS: ReadonlyArray<[SettingsTab, string]> = [
  ['general', 'General'],
  ['jobs', 'Jobs'],
  ['queues', 'Queues'],
];

export interface SettingsPageProps {
  serviceUrl?: string;
}

/** Settings page with General / Jobs / Queues tabs; only the active tab is mounted, so only it fetches. */
export function SettingsPage({ serviceUrl }: SettingsPageProps) {
  const styles = useStyles2(getStyles);
  const [tab, setTab] = useSettingsTab();

  return (
    <PluginPage>
      <TabsBar>
        {TAB_LABELS.map(([id, label]) => (
          <Tab key={id} label={label} active={tab === id} onChangeTab={() => setTab(id)} />
        ))}
      </TabsBar>
      <TabContent className={styles.content}>
        {tab === 'general' && <GeneralTab serviceUrl={serviceUrl} />}
        {tab === 'jobs' && <JobsTab />}
        {tab === 'queues' && <QueuesTab />}
      </TabContent>
    </PluginPage>
  );
}

export default SettingsPage;

const getStyles = (theme: GrafanaTheme2) => ({
  content: css({ paddingTop: theme.spacing(2) }),
});
