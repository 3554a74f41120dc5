/** Which ORM wrote a finding's statements: from the log format, sqlcommenter tags, application_name, then the SQL's shape. */
import type { Draft } from '../detect/draft.js';
import type { Stmt } from '../sessions/types.js';

export const ORMS = ['sqlalchemy', 'django', 'rails', 'sequelize', 'typeorm', 'prisma', 'hibernate', 'gorm'] as const;
export type OrmName = (typeof ORMS)[number];

/** Names ORMs and frameworks use for themselves in tags and application_name. */
const ALIASES: [RegExp, OrmName][] = [
  [/\bsqlalchemy\b|\bflask\b/i, 'sqlalchemy'],
  [/\bdjango\b/i, 'django'],
  [/\brails\b|\bactive_?record\b/i, 'rails'],
  [/\bsequelize\b/i, 'sequelize'],
  [/\btypeorm\b/i, 'typeorm'],
  [/\bprisma\b/i, 'prisma'],
  [/\bhibernate\b|\bspring\b|\bjpa\b/i, 'hibernate'],
  [/\bgorm\b/i, 'gorm'],
];

export function ormFromName(name: string | null | undefined): OrmName | null {
  if (!name) return null;
  const lower = name.toLowerCase();
  if ((ORMS as readonly string[]).includes(lower)) return lower as OrmName;
  for (const [re, orm] of ALIASES) if (re.test(name)) return orm;
  return null;
}

/** sqlcommenter / query-log tags: Prisma 7 `prismaQuery`, a `framework` tag, Rails' application/controller/action. */
export function ormFromTags(tags: Record<string, string> | null): OrmName | null {
  if (!tags) return null;
  if (tags['prismaQuery'] !== undefined) return 'prisma';
  const fw = ormFromName(tags['framework'] ?? tags['db_driver'] ?? null);
  if (fw) return fw;
  // Rails' query log tags default to application, controller, action (or job); no framework tag
  if (tags['application'] !== undefined && (tags['controller'] !== undefined || tags['job'] !== undefined)) return 'rails';
  return null;
}

// Each ORM's SQL has a signature its query builder never varies.
const SHAPES: [OrmName, RegExp][] = [
  // Prisma: schema-qualified quoted models, `"public"."User"."id"`
  ['prisma', /"public"\."[A-Z]\w*"(?:\."\w+")?/],
  // TypeORM: `"Post"."id" AS "Post_id"`
  ['typeorm', /"(\w+)"\."(\w+)"\s+AS\s+"\1_\2"/i],
  // Sequelize: `FROM "Users" AS "User"`, `"Posts"."id" AS "Posts.id"`
  ['sequelize', /\bAS\s+"[A-Z]\w*(?:\.\w+)?"|"\w+"\."\w+"\s+AS\s+"\w+\.\w+"/],
  // Hibernate 6 `p1_0.id`, Hibernate 5 `author0_.id as id1_0_`
  ['hibernate', /\b[a-z]\w*?\d+_\d+\.\w+|\b\w+\d+_\.\w+\s+as\s+\w+_\d*_?\d*_/i],
  // SQLAlchemy: `books.id AS books_id`, `anon_1`
  ['sqlalchemy', /\banon_\d+\b|\b(\w+)\.(\w+)\s+AS\s+\1_\2\b/i],
  // GORM: soft-delete predicate on every query
  ['gorm', /(?:`\w+`\.)?`deleted_at`\s+IS\s+NULL|"\w+"\."deleted_at"\s+IS\s+NULL/i],
  // Rails: `"books".*` with `LIMIT $n`, or `"books".*` and a quoted table
  ['rails', /SELECT\s+"\w+"\.\*\s+FROM\s+"\w+"/i],
  // Django: `LIMIT 21` on .get(), or `"app_model"."col"` column lists
  ['django', /\bLIMIT\s+21\b|"[a-z0-9]+_[a-z0-9_]+"\."[a-z0-9_]+"/],
];

export function ormFromSql(sql: string): OrmName | null {
  for (const [orm, re] of SHAPES) if (re.test(sql)) return orm;
  return null;
}

/**
 * The ORM for a finding: the log format says it outright; else tags, then application_name, then the SQL's
 * shape voted over the finding's statements (the parent too), so one odd statement does not decide.
 */
export function detectOrm(draft: Draft, fromLog: string | null, applications: readonly string[] = []): OrmName | null {
  const direct = ormFromName(fromLog);
  if (direct) return direct;
  const stmts: Stmt[] = [...(draft.parent ? [draft.parent] : []), ...draft.statements.slice(0, 50)];
  for (const s of stmts) {
    const t = ormFromTags(s.tags);
    if (t) return t;
  }
  for (const a of applications) {
    const o = ormFromName(a);
    if (o) return o;
  }
  const votes = new Map<OrmName, number>();
  const seen = new Set<string>();
  for (const s of stmts) {
    if (seen.has(s.t.template)) continue;
    seen.add(s.t.template);
    const o = ormFromSql(s.sql);
    if (o) votes.set(o, (votes.get(o) ?? 0) + 1);
  }
  let best: OrmName | null = null;
  for (const [o, n] of votes) if (best === null || n > votes.get(best)!) best = o;
  return best;
}
