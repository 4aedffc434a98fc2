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
  signIn: 'jitAccess.signIn',
  signOut: 'jitAccess.signOut',
  refresh: 'jitAccess.refresh',
  startService: 'jitAccess.startService',
  useApprovedText: 'jitAccess.useApprovedText',
  reviewGrants: 'jitAccess.reviewGrants',
} as const;

export const VIEW_ID = 'jitAccess.grants';
