// The subset of Go text/template that plugin.json routes use: `{{ .JsonData.key }}` and `{{ .SecureJsonData.key }}`.
// A missing key renders as "<no value>", as Go does for a map; any other action is refused rather than guessed.
export interface TemplateData {
  JsonData: Record<string, unknown>;
  SecureJsonData: Record<string, string>;
}

const ACTION = /\{\{(.*?)\}\}/g;
const FIELD = /^\s*\.(JsonData|SecureJsonData)\.([A-Za-z_][A-Za-z0-9_]*)\s*$/;

export function interpolate(template: string, data: TemplateData): string {
  return template.replace(ACTION, (_match, inner: string) => {
    const m = FIELD.exec(inner);
    if (!m) {
      throw new Error(`unsupported template action {{${inner}}} (the preview proxy only reproduces .JsonData.x / .SecureJsonData.x)`);
    }
    const source = m[1] === 'JsonData' ? data.JsonData : data.SecureJsonData;
    const value = source[m[2]];
    return value === undefined || value === null ? '<no value>' : String(value);
  });
}
