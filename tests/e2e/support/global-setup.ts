// Jest globalSetup of both projects (tests/jest.config.js): builds what every browser scenario loads — the plugin's
// dist/ and each installed preview host's bundles (production, and the development build scenario 14 uses) — once,
// before the workers start, instead of letting two scenario files build the same bundle at the same time.
import { ensureHostBundle } from '../../../preview/build-host';
import { HOST_IDS, hostSpec } from '../../../preview/hosts';
import { ensurePluginDist } from '../../../preview/plugin-dist';

export default async function globalSetup(): Promise<void> {
  ensurePluginDist();
  for (const id of HOST_IDS) {
    const spec = hostSpec(id);
    if (!spec.installed) {
      continue; // the preview server says how to install it when a scenario asks for this host
    }
    for (const dev of [false, true]) {
      const { built, ms } = await ensureHostBundle(spec, dev);
      if (built) {
        console.log(`[e2e] built the Grafana ${id} host${dev ? ' (React development build)' : ''} in ${ms} ms`);
      }
    }
  }
}
