import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { progressPercent } from '@jobscope/contract';

export function ProgressBar({ progress }: { progress: unknown }) {
  const styles = useStyles2(getStyles);
  const pct = progressPercent(progress);
  if (pct === null) {
    return <span className={styles.none}>—</span>;
  }
  const rounded = Math.round(pct);
  return (
    <div
      className={styles.wrap}
      role="progressbar"
      aria-valuenow={rounded}
      aria-valuemin={0}
      aria-valuemax={100}
      title={`${rounded}%`}
    >
      <div className={styles.track}>
        <div className={styles.fill} style={{ width: `${pct}%` }} />
      </div>
      <span className={styles.label}>{rounded}%</span>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), minWidth: 110 }),
  track: css({
    flex: 1,
    height: theme.spacing(0.75),
    borderRadius: theme.shape.radius.pill,
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    overflow: 'hidden',
  }),
  fill: css({ height: '100%', background: theme.colors.primary.main }),
  label: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize, minWidth: 32 }),
  none: css({ color: theme.colors.text.disabled }),
});
