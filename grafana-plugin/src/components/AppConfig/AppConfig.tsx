import React, { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { css } from '@emotion/css';
import type { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { Alert, Button, Field, FieldSet, Input, SecretInput, Stack, useStyles2 } from '@grafana/ui';
import { fetchHealth, toServiceError, type HealthResult, type ServiceError } from '../../api/client';
import { QueryProvider } from '../../api/QueryProvider';
import { savePluginSettings, type SettingsUpdate } from '../../api/pluginSettings';
import type { JobscopeSettings } from '../../types';
import { TEST_IDS } from '../testIds';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<JobscopeSettings>> {}

type TestResult = { ok: boolean; title: string; detail?: string } | null;

function describeTest(result: HealthResult | undefined, error: ServiceError | null): TestResult {
  if (result) {
    const { health, httpStatus } = result;
    return {
      ok: health.status !== 'fail',
      title: `Service reachable: health ${health.status} (HTTP ${httpStatus})`,
      detail: [health.version && `version ${health.version}`, health.output].filter(Boolean).join(' — ') || undefined,
    };
  }
  if (error) {
    const hint = error.status === 401 || error.status === 403 ? ' Check the API token.' : '';
    return {
      ok: false,
      title: error.kind === 'unreachable' ? 'Service unreachable' : 'Service error',
      detail: error.message + hint,
    };
  }
  return null;
}

export function buildSettingsUpdate(
  meta: Pick<PluginMeta<JobscopeSettings>, 'enabled' | 'pinned'>,
  serviceUrl: string,
  token: { changed: boolean; value: string }
): SettingsUpdate {
  return {
    enabled: meta.enabled ?? true,
    pinned: meta.pinned ?? true,
    jsonData: { serviceUrl: serviceUrl.trim().replace(/\/+$/, '') },
    ...(token.changed ? { secureJsonData: { apiToken: token.value } } : {}),
  };
}

/** Service URL and API token; the token goes to Grafana's secure store and is added server-side by the proxy route. */
const AppConfigForm = ({ plugin }: AppConfigProps) => {
  const styles = useStyles2(getStyles);
  const { jsonData, secureJsonFields } = plugin.meta;
  const [serviceUrl, setServiceUrl] = useState(jsonData?.serviceUrl ?? '');
  const [tokenConfigured, setTokenConfigured] = useState(Boolean(secureJsonFields?.apiToken));
  const [token, setToken] = useState('');
  const [tokenChanged, setTokenChanged] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  // Test connection is a one-shot call on demand; each click replaces the previous answer.
  const test = useMutation<HealthResult, ServiceError>({ mutationFn: fetchHealth });
  const testing = test.isPending;
  const testResult = describeTest(test.data, test.error);

  const urlInvalid = serviceUrl.trim() !== '' && !/^https?:\/\/[^\s]+$/i.test(serviceUrl.trim());

  const save = async () => {
    setSaving(true);
    setSaveError(null);
    try {
      await savePluginSettings(
        plugin.meta.id,
        buildSettingsUpdate(plugin.meta, serviceUrl, { changed: tokenChanged, value: token })
      );
      // The plugin meta in the page only picks up new settings on a reload (the proxy reads them per request).
      window.location.reload();
    } catch (e) {
      setSaveError(toServiceError(e).message);
      setSaving(false);
    }
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <FieldSet label="Jobs service">
        <Field
          label="Service URL"
          description="Base URL of the jobscope service as Grafana's server reaches it, e.g. http://jobscope:8787"
          invalid={urlInvalid}
          error={urlInvalid ? 'Enter an http:// or https:// URL' : undefined}
        >
          <Input
            id="config-service-url"
            width={60}
            value={serviceUrl}
            placeholder="http://jobscope:8787"
            onChange={(e) => setServiceUrl(e.currentTarget.value)}
          />
        </Field>
        <Field label="API token" description="Sent by Grafana's proxy as a Bearer token; the browser never sees it">
          <SecretInput
            id="config-api-token"
            width={60}
            value={token}
            isConfigured={tokenConfigured}
            placeholder="API token of the service"
            onChange={(e) => {
              setToken(e.currentTarget.value);
              setTokenChanged(true);
            }}
            onReset={() => {
              setTokenConfigured(false);
              setToken('');
              setTokenChanged(true);
            }}
          />
        </Field>
        {saveError && (
          <Alert severity="error" title="Saving failed">
            {saveError}
          </Alert>
        )}
        <Stack gap={1}>
          <Button type="submit" disabled={saving || urlInvalid || serviceUrl.trim() === ''}>
            Save settings
          </Button>
          <Button type="button" variant="secondary" onClick={() => test.mutate()} disabled={testing}>
            Test connection
          </Button>
        </Stack>
        <p className={styles.hint}>
          Test connection uses the saved settings (through Grafana&apos;s proxy): save first.
        </p>
        {testResult && (
          <div data-testid={TEST_IDS.configTestResult}>
            <Alert severity={testResult.ok ? 'success' : 'error'} title={testResult.title}>
              {testResult.detail}
            </Alert>
          </div>
        )}
      </FieldSet>
    </form>
  );
};

/** The config page has its own QueryClient: it is not under the app root. */
const AppConfig = (props: AppConfigProps) => (
  <QueryProvider>
    <AppConfigForm {...props} />
  </QueryProvider>
);

export default AppConfig;

const getStyles = (theme: GrafanaTheme2) => ({
  hint: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    marginTop: theme.spacing(1),
  }),
});
