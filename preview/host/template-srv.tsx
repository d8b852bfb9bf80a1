// TemplateSrv of a dashboard without template variables: only a panel's scopedVars resolve, unknown variables are
// left as they are (which is what Grafana's TemplateSrv does for variables it does not know).
import type { ScopedVars, TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

const VARIABLE = /\$(\w+)|\$\{(\w+)(?::(\w+))?\}|\[\[(\w+)(?::(\w+))?\]\]/g;

export function createTemplateSrv(): TemplateSrv {
  const lookup = (name: string, scopedVars?: ScopedVars): string | undefined => {
    const v = scopedVars?.[name]?.value;
    if (v === undefined || v === null) {
      return undefined;
    }
    return Array.isArray(v) ? v.join(',') : String(v);
  };
  return {
    getVariables: () => [] as TypedVariableModel[],
    replace: (target?: string, scopedVars?: ScopedVars) =>
      (target ?? '').replace(VARIABLE, (match, a?: string, b?: string, _f1?: string, c?: string) => lookup(a ?? b ?? c ?? '', scopedVars) ?? match),
    containsTemplate: (target?: string) => !!target && new RegExp(VARIABLE.source).test(target),
    updateTimeRange: () => undefined,
  } as TemplateSrv;
}
