import React from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { PluginType } from '@grafana/data';
import { FakeBackend, type FakeReply } from '../../test/fakeBackend';
import AppConfig, { type AppConfigProps } from './AppConfig';

function props(jsonData: Record<string, string>, tokenSet: boolean): AppConfigProps {
  return {
    plugin: {
      meta: {
        id: 'jobscope-jobs-app',
        name: 'Jobscope',
        type: PluginType.app,
        enabled: true,
        pinned: true,
        jsonData,
        secureJsonFields: tokenSet ? { apiToken: true } : {},
      },
    },
    query: {},
  } as unknown as AppConfigProps;
}

describe('AppConfig', () => {
  let backend: FakeBackend;
  let healthReply: FakeReply;
  const reload = jest.fn();

  beforeEach(() => {
    healthReply = { status: 200, data: { status: 'pass', serviceId: 'jobscope', version: '0.1.0', checks: {} } };
    backend = new FakeBackend((call) =>
      call.url.endsWith('/api/health') ? healthReply : { status: 200, data: {} }
    ).install();
    reload.mockReset();
    Object.defineProperty(window, 'location', { configurable: true, value: { ...window.location, reload } });
  });

  const saves = () => backend.calls.filter((c) => c.url === '/api/plugins/jobscope-jobs-app/settings');

  it('shows the saved URL and a configured token; saving without touching the token sends no secureJsonData', async () => {
    render(<AppConfig {...props({ serviceUrl: 'http://jobscope:8787' }, true)} />);
    expect(screen.getByLabelText(/^Service URL/)).toHaveValue('http://jobscope:8787');
    expect(screen.getByDisplayValue('configured')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/^Service URL/), { target: { value: 'http://jobs.internal:9000/' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await act(async () => {});
    expect(saves()).toHaveLength(1);
    expect(saves()[0]).toMatchObject({
      method: 'POST',
      data: { enabled: true, pinned: true, jsonData: { serviceUrl: 'http://jobs.internal:9000' } },
    });
    expect(saves()[0].data).not.toHaveProperty('secureJsonData');
    expect(reload).toHaveBeenCalled();
  });

  it('sends the token only when it was changed (reset, then typed)', async () => {
    render(<AppConfig {...props({ serviceUrl: 'http://jobscope:8787' }, true)} />);
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    fireEvent.change(screen.getByLabelText(/^API token/), { target: { value: 's3cret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await act(async () => {});
    expect(saves()[0].data).toMatchObject({ secureJsonData: { apiToken: 's3cret' } });
  });

  it('shows a failed save and does not reload', async () => {
    backend.handler = () => ({ status: 403, data: { message: 'Permission denied' } });
    render(<AppConfig {...props({ serviceUrl: 'http://jobscope:8787' }, true)} />);
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await act(async () => {});
    expect(screen.getByText('Saving failed')).toBeInTheDocument();
    expect(screen.getByText('Permission denied')).toBeInTheDocument();
    expect(reload).not.toHaveBeenCalled();
  });

  it('rejects a URL without http(s)', () => {
    render(<AppConfig {...props({}, false)} />);
    fireEvent.change(screen.getByLabelText(/^Service URL/), { target: { value: 'jobscope:8787' } });
    expect(screen.getByText('Enter an http:// or https:// URL')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save settings' })).toBeDisabled();
  });

  it('Test connection calls the health route through the proxy and shows the result', async () => {
    render(<AppConfig {...props({ serviceUrl: 'http://jobscope:8787' }, true)} />);
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    await act(async () => {});
    expect(backend.calls.at(-1)?.url).toBe('/api/plugin-proxy/jobscope-jobs-app/api/health');
    expect(screen.getByTestId('config-test-result')).toHaveTextContent('Service reachable: health pass');

    healthReply = { status: 401, data: { error: { code: 'unauthorized', message: 'invalid token' } } };
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    await act(async () => {});
    expect(screen.getByTestId('config-test-result')).toHaveTextContent('invalid token');
    expect(screen.getByTestId('config-test-result')).toHaveTextContent('Check the API token');

    healthReply = { networkError: true };
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    await act(async () => {});
    expect(screen.getByTestId('config-test-result')).toHaveTextContent('Service unreachable');
  });
});
