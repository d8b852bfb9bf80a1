import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { JobState } from '@jobscope/contract';
import { TEST_IDS } from '../testIds';

/** Palette names of Grafana's visualization theme: they resolve to readable shades in both dark and light themes. */
export const STATE_COLOR: Readonly<Record<JobState, string>> = {
  RUNNING: 'blue',
  PENDING: 'yellow',
  DELAYED: 'purple',
  WAITING_CHILDREN: 'orange',
  FAILURE: 'red',
  SUCCESS: 'green',
};

export function StateBadge({ state }: { state: JobState }) {
  const styles = useStyles2(getStyles, state);
  return (
    <span className={styles.badge} data-testid={TEST_IDS.jobState}>
      {state}
    </span>
  );
}

function getStyles(theme: GrafanaTheme2, state: JobState) {
  const color = theme.visualization.getColorByName(STATE_COLOR[state]);
  return {
    badge: css({
      display: 'inline-block',
      padding: theme.spacing(0.25, 0.75),
      borderRadius: theme.shape.radius.default,
      background: color,
      color: theme.colors.getContrastText(color),
      fontSize: theme.typography.bodySmall.fontSize,
      fontWeight: theme.typography.fontWeightMedium,
      lineHeight: theme.typography.bodySmall.lineHeight,
      whiteSpace: 'nowrap',
    }),
  };
}
