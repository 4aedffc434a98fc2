// Command ids, as declared in package.json `contributes.commands`.
export const COMMANDS = {
  requestDataAccess: 'jitAccess.requestDataAccess',
  requestRole: 'jitAccess.requestRole',
  runGrant: 'jitAccess.runGrant',
  exportGrantResult: 'jitAccess.exportGrantResult',
  approveRequest: 'jitAccess.approveRequest',
  rejectRequest: 'jitAccess.rejectRequest',
  revokeGrant: 'jitAccess.revokeGrant',
  openRequest: 'jitAccess.openRequest',
  // Issue 16: run with a role, give a role back, cancel a pending request.
  runQuery: 'jitAccess.runQuery',
  revokeRole: 'jitAccess.revokeRole',
  cancelRequest: 'jitAccess.cancelRequest',
  signIn: 'jitAccess.signIn',
  signOut: 'jitAccess.signOut',
  refresh: 'jitAccess.refresh',
  startService: 'jitAccess.startService',
  useApprovedText: 'jitAccess.useApprovedText',
  reviewGrants: 'jitAccess.reviewGrants',
} as const;

export const VIEW_ID = 'jitAccess.grants';
