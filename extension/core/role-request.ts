// The roles a member may ask for through Request Role.
export const REQUESTABLE_ROLES = [
  { role: 'sqlEditorUser', description: 'run read-only queries on the project databases' },
  { role: 'projectExporter', description: 'query and export' },
  { role: 'projectDeveloper', description: 'develop in the project' },
  { role: 'projectOwner', description: 'own the project' },
] as const;
