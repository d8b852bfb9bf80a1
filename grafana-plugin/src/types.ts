/** Plugin jsonData (visible to the browser); the API token lives in secureJsonData and never reaches it. */
export interface JobscopeSettings {
  serviceUrl?: string;
}
