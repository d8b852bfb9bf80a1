import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, LoadingPlaceholder, TextLink, useStyles2 } from '@grafana/ui';
import { PLUGIN_ID } from '@jobscope/contract';
import { useHealth, useStatusSnapshot } from '../../hooks/useStatusSnapshot';
import { RecentActions } from '../RecentActions/RecentActions';
import { TEST_IDS } from '../testIds';

export const CONFIG_PAGE_URL = `/plugins/${PLUGIN_ID}`;

interface Props {
  serviceUrl?: string;
}

const HEALTH_BADGE = { pass: 'green', warn: 'orange', fail: 'red' } as const;

/** Where the service is, whether it answers, and the versions of everything involved. */
export function GeneralTab({ serviceUrl }: Props) {
  const styles = useStyles2(getStyles);
  const status = useStatusSnapshot();
  const health = useHealth();
  const bullmqVersions = [
    ...new Set((status.data?.queues ?? []).map((q) => q.version).filter((v): v is string => !!v)),
  ];

  const reachability = health.data ? (
    <Badge color={HEALTH_BADGE[health.data.health.status]} text={`reachable, health ${health.data.health.status}`} />
  ) : health.error ? (
    <Badge
      color="red"
      text={health.error.kind === 'unreachable' ? 'service unreachable' : `error: ${health.error.message}`}
      icon="exclamation-triangle"
    />
  ) : (
    <LoadingPlaceholder text="checking…" />
  );

  const redis = status.data?.redis;
  return (
    <div>
      <dl className={styles.grid} data-testid={TEST_IDS.generalInfo}>
        <dt>Service URL</dt>
        <dd>{serviceUrl ? <code>{serviceUrl}</code> : <span className={styles.muted}>not configured</span>}</dd>
        <dt>Reachability</dt>
        <dd data-testid={TEST_IDS.generalReachability}>{reachability}</dd>
        <dt>Redis</dt>
        <dd data-testid={TEST_IDS.generalRedis}>
          {!redis ? (
            <span className={styles.muted}>{status.error ? status.error.message : '—'}</span>
          ) : redis.ok ? (
            <>
              <Badge color="green" text="up" /> latency{' '}
              {redis.latencyMs === null ? '—' : `${redis.latencyMs.toFixed(1)} ms`}
            </>
          ) : (
            <Badge color="red" text={`down${redis.error ? `: ${redis.error}` : ''}`} icon="exclamation-triangle" />
          )}
        </dd>
        <dt>Service version</dt>
        <dd>{status.data?.service.version ?? health.data?.health.version ?? '—'}</dd>
        <dt>Redis version</dt>
        <dd>{redis?.version ?? '—'}</dd>
        <dt>BullMQ version</dt>
        <dd>{bullmqVersions.length > 0 ? bullmqVersions.join(', ') : '—'}</dd>
      </dl>
      <div className={styles.actions}>
        <Button
          variant="secondary"
          icon="sync"
          onClick={() => {
            status.reload();
            health.reload();
          }}
        >
          Check again
        </Button>
        <TextLink href={CONFIG_PAGE_URL} inline={false} icon="cog">
          Plugin configuration
        </TextLink>
      </div>
      <RecentActions />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: theme.spacing(1, 3),
    margin: 0,
    dt: { color: theme.colors.text.secondary },
    dd: { margin: 0 },
  }),
  actions: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(2), marginTop: theme.spacing(3) }),
  muted: css({ color: theme.colors.text.secondary }),
});
