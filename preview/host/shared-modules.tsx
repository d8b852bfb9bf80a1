// The modules Grafana core shares with plugins, under the names plugins import them by
// (grafana/grafana public/app/features/plugins/loader/sharedDependencies.ts). Real packages, same versions as the plugin.
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUI from '@grafana/ui';
import * as i18next from 'i18next';
import * as lodash from 'lodash';
import * as moment from 'moment';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';
import * as ReactRedux from 'react-redux';
// Grafana maps 'react-router' to react-router-dom-v5-compat, which re-exports react-router v6.
import * as ReactRouter from 'react-router';
import * as jsxRuntime from 'react/jsx-runtime';
import * as Redux from 'redux';
import * as rxjs from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';

export const sharedModules: Record<string, unknown> = {
  '@emotion/css': emotionCss,
  '@emotion/react': emotionReact,
  '@grafana/data': grafanaData,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/ui': grafanaUI,
  i18next,
  lodash,
  moment,
  react: React,
  'react-dom': ReactDOM,
  'react-dom/client': ReactDOMClient,
  'react-redux': ReactRedux,
  'react-router': ReactRouter,
  'react/jsx-runtime': jsxRuntime,
  redux: Redux,
  rxjs,
  'rxjs/operators': rxjsOperators,
};

interface SystemJSLike {
  set(id: string, module: unknown): void;
  addImportMap(map: { imports: Record<string, string> }): void;
  import(id: string): Promise<unknown>;
}

export function systemJS(): SystemJSLike {
  const system = (window as unknown as { System?: SystemJSLike }).System;
  if (!system) {
    throw new Error('SystemJS is not loaded: the page must load system.min.js and extras/amd.min.js after host.js');
  }
  return system;
}

/** As Grafana's buildImportMap: each shared module becomes `package:<name>` and the import map points at it. */
export function registerSharedModules(system: SystemJSLike): void {
  const imports: Record<string, string> = {};
  for (const [name, mod] of Object.entries(sharedModules)) {
    const id = `package:${name}`;
    // Grafana wraps CommonJS-style modules with __useDefault; ES namespaces are registered as they are.
    system.set(id, mod);
    imports[name] = id;
  }
  system.addImportMap({ imports });
}
