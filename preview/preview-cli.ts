// `npx tsx preview/preview-cli.ts`: runs the preview host against a running service.
// Env: JOBSCOPE_SERVICE_URL (default http://127.0.0.1:8787), JOBSCOPE_API_TOKEN, PREVIEW_PORT (default 3000),
// PREVIEW_HOST (default 127.0.0.1), PREVIEW_ROLE (Viewer|Editor|Admin, default Admin), PREVIEW_LOGIN (default the role in
// lower case), PREVIEW_THEME (dark|light), PREVIEW_PROXY_BUFFER=1 (the plugin proxy holds each upstream body until it
// ends, like a buffering proxy: the live stream never arrives and the Jobs tab falls back to polling), PREVIEW_GRAFANA
// (13.2 | 12.4, default 13.2: the Grafana version whose shared modules the host page carries; 12.4 needs
// `npm ci --prefix preview/host-12`).
import { startPreviewServer, type OrgRole, type Theme } from './preview-server';

async function main(): Promise<void> {
  const role = (process.env.PREVIEW_ROLE ?? 'Admin') as OrgRole;
  if (!['Viewer', 'Editor', 'Admin'].includes(role)) {
    throw new Error(`PREVIEW_ROLE must be Viewer, Editor or Admin, got ${role}`);
  }
  const server = await startPreviewServer({
    port: Number(process.env.PREVIEW_PORT ?? 3000),
    host: process.env.PREVIEW_HOST ?? '127.0.0.1',
    serviceUrl: process.env.JOBSCOPE_SERVICE_URL ?? 'http://127.0.0.1:8787',
    apiToken: process.env.JOBSCOPE_API_TOKEN,
    role,
    login: process.env.PREVIEW_LOGIN || undefined,
    theme: (process.env.PREVIEW_THEME as Theme | undefined) ?? 'dark',
  });
  console.log(
    `jobscope preview (Grafana ${server.grafanaVersion} host for ${server.pluginId}, role ${role}, login ${server.user.login}${server.proxyBuffer ? ', proxy buffering' : ''}): ${server.url}/a/${server.pluginId}/settings`
  );
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
