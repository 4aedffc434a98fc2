// Links to a request from outside the editor (a webhook's chat message) arrive as
// vscode://jit-access.jit-access/requests/<id>; this reads the id out of the link's path.

const REQUEST_PATH = /^\/requests\/([A-Za-z0-9_-]{1,64})\/?$/;

/** The request id a link's path names, or undefined when it names none. */
export function requestIdFromLinkPath(path: string): string | undefined {
  return REQUEST_PATH.exec(path)?.[1];
}
