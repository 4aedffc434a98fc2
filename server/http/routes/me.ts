import { createRoute } from '@hono/zod-openapi';
import { rolesIn } from '../../domain/access.js';
import { iso } from '../../domain/clock.js';
import type { Deps } from '../../domain/deps.js';
import { errors, json, router, secured } from '../env.js';
import { Me } from '../../../contract/schemas.js';

const getMe = createRoute({ method: 'get', path: '/me', security: secured, summary: 'Who you are: workspace role and project roles', responses: { 200: json(Me), 401: errors[401] } });

export const meRoutes = (deps: Deps) =>
  router().openapi(getMe, async (c) => {
    const actor = c.get('actor');
    const state = await deps.config.read();
    const user = actor.profile ?? state.users.find((u) => u.id === actor.id)!;
    const now = deps.clock.now();
    const projects = [];
    for (const p of state.projects) {
      const roles = await rolesIn(deps.ledger, state, actor, p.id, now);
      if (roles.length) {
        projects.push({
          id: p.id,
          name: p.name,
          roles: roles.map((r) => ({ role: r.role, expireTime: r.expireTime === undefined ? undefined : iso(r.expireTime), databases: r.databases, bindingId: r.bindingId })),
        });
      }
    }
    return c.json({ user: { id: actor.id, name: user.name, email: user.email }, workspaceRole: actor.workspaceRole, projects }, 200);
  });
