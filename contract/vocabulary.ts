// The closed sets of names the service, the configuration and the wire share: roles, states,
// sources. Plain constants with no dependency, so the extension and webview can use them too.

export const WORKSPACE_ROLES = ['workspaceAdmin', 'workspaceDBA', 'workspaceMember'] as const;
export const PROJECT_ROLES = ['projectOwner', 'projectDeveloper', 'sqlEditorUser', 'projectExporter'] as const;
export const MASKING_ALGORITHMS = ['full', 'partial', 'md5'] as const;
export const APPROVAL_SOURCES = ['REQUEST_ACCESS', 'REQUEST_ROLE'] as const;

export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];
export type ProjectRole = (typeof PROJECT_ROLES)[number];
export type MaskingAlgorithm = (typeof MASKING_ALGORITHMS)[number];
export type ApprovalSource = (typeof APPROVAL_SOURCES)[number];

export const GRANT_STATES = ['PENDING', 'ACTIVE', 'EXPIRED', 'REVOKED', 'REJECTED', 'CANCELED'] as const;
export const REQUEST_STATUSES = ['OPEN', 'APPROVED', 'REJECTED', 'CANCELED', 'EXPIRED'] as const;
export const BINDING_STATES = ['ACTIVE', 'EXPIRED', 'REVOKED'] as const;

export type GrantState = (typeof GRANT_STATES)[number];
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export type BindingState = (typeof BINDING_STATES)[number];

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson', 'sql', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
