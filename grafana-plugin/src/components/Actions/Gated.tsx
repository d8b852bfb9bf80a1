import React, { type JSX } from 'react';
import { css } from '@emotion/css';
import { Tooltip, useStyles2 } from '@grafana/ui';

/**
 * A control the user may not use: shown (disabled by the caller) with a tooltip saying why. The tooltip sits on a
 * wrapper because a disabled button receives no mouse events.
 */
export function Gated({ reason, children }: { reason: string | null; children: JSX.Element }) {
  const styles = useStyles2(getStyles);
  if (!reason) {
    return children;
  }
  return (
    <Tooltip content={reason}>
      <span className={styles.wrap} data-disabled-reason={reason}>
        {children}
      </span>
    </Tooltip>
  );
}

const getStyles = () => ({
  wrap: css({ display: 'inline-flex' }),
});

/** Same, for a block-level child (a menu item fills its menu's width). */
export function GatedBlock({ reason, children }: { reason: string | null; children: JSX.Element }) {
  if (!reason) {
    return children;
  }
  return (
    <Tooltip content={reason}>
      <div data-disabled-reason={reason}>{children}</div>
    </Tooltip>
  );
}
