import React from 'react';
import { render, screen } from '@testing-library/react';
import { createTheme } from '@grafana/data';
import { JOB_STATES } from '@jobscope/contract';
import { STATE_COLOR, StateBadge } from './StateBadge';

describe('StateBadge', () => {
  it('shows the state name', () => {
    render(<StateBadge state="WAITING_CHILDREN" />);
    expect(screen.getByText('WAITING_CHILDREN')).toBeInTheDocument();
  });

  it.each(['dark', 'light'] as const)('gives every state its own theme colour in the %s theme', (mode) => {
    const theme = createTheme({ colors: { mode } });
    const colours = JOB_STATES.map((s) => theme.visualization.getColorByName(STATE_COLOR[s]));
    expect(new Set(colours).size).toBe(JOB_STATES.length);
    expect(STATE_COLOR).toMatchObject({ RUNNING: 'blue', PENDING: 'yellow', FAILURE: 'red', SUCCESS: 'green' });
    // The badge text colour is chosen against each background, so labels stay readable in both themes.
    for (const c of colours) {
      expect(theme.colors.getContrastText(c)).toMatch(/^(#|rgb)/);
    }
  });
});
