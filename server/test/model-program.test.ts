// The workspace's program (server/src/model/program.ts): module resolution across files, what a
// function does through what it calls (recursion, cycles, unresolved calls), and the request path.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from '../src/engine/index';
import { grammarForPath, queryLanguageOf } from '../src/engine/languages';
import { bindTree } from '../src/model/bind';
import { FileContext } from '../src/model/file-context';
import { Program, type FnRef, type ProgramFile } from '../src/model/program';
import { summarise } from '../src/model/summary';
import { code, tempTree } from './harness';

function programOf(files: Record<string, string>): { program: Program; dir: string; fn: (file: string, qualifiedName: string) => FnRef } {
  const dir = fs.realpathSync(tempTree(files));
  const programFiles: ProgramFile[] = [];
  for (const rel of Object.keys(files)) {
    const grammar = grammarForPath(rel);
    if (!grammar) continue;
    const abs = path.join(dir, rel);
    const text = files[rel];
    const language = queryLanguageOf(grammar);
    const model = bindTree(parse(grammar, text).rootNode, language);
    const file = new FileContext(language, model, text, rel);
    programFiles.push({ path: abs, language, summary: summarise(file), imports: model.imports, reexports: model.reexports, goPackage: model.hints.goPackage });
  }
  const program = new Program(programFiles, (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined));
  const fn = (file: string, qualifiedName: string): FnRef => {
    const abs = path.join(dir, file);
    const i = program.file(abs)?.summary.functions.findIndex((f) => f.qualifiedName === qualifiedName) ?? -1;
    assert.ok(i >= 0, `no function ${qualifiedName} in ${file}`);
    return { file: abs, fn: i };
  };
  return { program, dir, fn };
}

function effects(program: Program, ref: FnRef): string[] {
  return [...program.effectsOf(ref).keys()].sort();
}

function chain(program: Program, ref: FnRef, effect: string): string[] {
  return (program.effectsOf(ref).get(effect as never)?.chain ?? []).map((s) => s.text);
}

describe('model: the workspace program', () => {
  it('python: a handler → a service → a repository in other modules (absolute and relative imports, __init__ re-exports)', () => {
    const { program, fn } = programOf({
      'app/__init__.py': '',
      'app/api/__init__.py': '',
      'app/api/users.py': code`
        from fastapi import APIRouter
        from app.services import users as user_service
        router = APIRouter()

        @router.get("/users")
        async def list_users():
            return await user_service.recent()
      `,
      'app/services/__init__.py': 'from .users import recent\n',
      'app/services/users.py': code`
        from ..repos.users import UserRepo
        async def recent():
            return await UserRepo().all()
      `,
      'app/repos/__init__.py': '',
      'app/repos/users.py': code`
        from sqlalchemy import select
        from sqlalchemy.ext.asyncio import AsyncSession
        class UserRepo:
            session: AsyncSession
            async def all(self):
                return (await self.session.execute(select(User))).scalars().all()
      `,
    });
    const handler = fn('app/api/users.py', 'list_users');
    assert.ok(effects(program, handler).includes('db-query'), JSON.stringify(effects(program, handler)));
    assert.deepStrictEqual(chain(program, handler, 'db-query'), ['user_service.recent', 'UserRepo().all', 'self.session.execute']);
    assert.ok(program.onRequestPath(fn('app/repos/users.py', 'UserRepo.all')), 'the repository runs per request');
  });

  it('recursion and cycles end; an unresolved call adds nothing', () => {
    const { program, fn } = programOf({
      'walk.py': code`
        import requests
        def a(n):
            if n: b(n - 1)
            unknown_helper(n)
        def b(n):
            a(n)
            requests.get(URL)
        def c():
            c()
      `,
    });
    assert.deepStrictEqual(effects(program, fn('walk.py', 'a')), ['http-call']);
    assert.deepStrictEqual(chain(program, fn('walk.py', 'a'), 'http-call'), ['b', 'requests.get']);
    assert.deepStrictEqual(effects(program, fn('walk.py', 'c')), []);
    assert.ok(program.blockingOf(fn('walk.py', 'a')), 'a sync function that reaches requests.get blocks its caller');
  });

  it('a cached factory builds its client once: its callers do not construct one per call', () => {
    const { program, fn } = programOf({
      'db.py': code`
        from functools import lru_cache
        from sqlalchemy import create_engine
        @lru_cache
        def engine():
            return create_engine(URL, pool_size=10)
        def fresh():
            return create_engine(URL)
        def handler():
            engine()
            fresh()
      `,
    });
    assert.deepStrictEqual(chain(program, fn('db.py', 'handler'), 'client'), ['fresh', 'create_engine']);
  });

  it('go: packages by import path against go.mod, methods on fields of imported types, the same package across files', () => {
    const { program, fn } = programOf({
      'go.mod': 'module example.com/shop\n\ngo 1.22\n',
      'internal/store/store.go': code`
        package store
        import "database/sql"
        type Store struct { db *sql.DB }
        func (s *Store) Orders(id int) error {
        	_, err := s.db.Query("SELECT * FROM orders WHERE user_id = $1", id)
        	return err
        }
      `,
      'internal/api/api.go': code`
        package api
        import (
        	"net/http"
        	"example.com/shop/internal/store"
        )
        type Server struct { store *store.Store }
        func (s *Server) Orders(w http.ResponseWriter, r *http.Request) {
        	s.load(1)
        }
      `,
      'internal/api/load.go': code`
        package api
        func (s *Server) load(id int) { s.store.Orders(id) }
      `,
    });
    const handler = fn('internal/api/api.go', 'Server.Orders');
    assert.deepStrictEqual(chain(program, handler, 'db-query'), ['s.load', 's.store.Orders', 's.db.Query']);
    assert.ok(program.onRequestPath(fn('internal/store/store.go', 'Store.Orders')));
  });

  it('typescript: relative imports, index files, tsconfig paths, workspace packages; Nest controller → service → repository', () => {
    const { program, fn } = programOf({
      'tsconfig.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"] } } }',
      'packages/db/package.json': '{ "name": "@acme/db" }',
      'packages/db/src/index.ts': "export { findUsers } from './users';\n",
      'packages/db/src/users.ts': code`
        import { PrismaClient } from '@prisma/client';
        const prisma = new PrismaClient();
        export async function findUsers() { return prisma.user.findMany(); }
      `,
      'src/users/users.controller.ts': code`
        import { Controller, Get } from '@nestjs/common';
        import { UsersService } from '@/users/users.service';
        @Controller('users')
        export class UsersController {
          constructor(private readonly users: UsersService) {}
          @Get()
          list() { return this.users.all(); }
        }
      `,
      'src/users/users.service.ts': code`
        import { findUsers } from '@acme/db';
        export class UsersService {
          all() { return findUsers(); }
        }
      `,
    });
    const list = fn('src/users/users.controller.ts', 'UsersController.list');
    assert.ok(program.roleOf(list)?.role === 'handler');
    assert.deepStrictEqual(chain(program, list, 'db-read-many'), ['this.users.all', 'findUsers', 'prisma.user.findMany']);
  });

  it("what a handler's callbacks call is on the request path (a function handed in an object to a dispatcher); the callbacks keep their function's place; start-up code's callbacks are not start-up code", () => {
    const { program, fn } = programOf({
      'src/app/api/record/route.ts': code`
        import { saveRecording } from '@/queries/save';
        export async function POST(request: Request) {
          return saveRecording(await request.json());
        }
      `,
      'src/queries/save.ts': code`
        import { gzipSync } from 'node:zlib';
        import { runQuery, PRISMA, CLICKHOUSE } from './run';
        export async function saveRecording(args: unknown) {
          return runQuery({ [PRISMA]: () => relationalQuery(args), [CLICKHOUSE]: () => clickhouseQuery(args) });
        }
        async function relationalQuery(args: unknown) {
          return gzipSync(Buffer.from(JSON.stringify(args)));
        }
        async function clickhouseQuery(args: unknown) {
          return args;
        }
      `,
      'src/queries/run.ts': code`
        export const PRISMA = 'prisma';
        export const CLICKHOUSE = 'clickhouse';
        export function runQuery(queries: Record<string, () => unknown>) { return queries[PRISMA](); }
      `,
      'src/main.ts': code`
        import { sweep } from './sweep';
        export function main() {
          setInterval(() => sweep(), 60_000);
        }
      `,
      'src/sweep.ts': 'export async function sweep() { return 1; }\n',
      'tsconfig.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"] } } }',
    });
    const save = fn('src/queries/save.ts', 'saveRecording');
    const relational = fn('src/queries/save.ts', 'relationalQuery');
    const onPath = program.requestPath();
    assert.ok(onPath.has(`${relational.file}#${relational.fn}`), 'the callback\'s callee runs per request');
    assert.deepStrictEqual(onPath.get(`${relational.file}#${relational.fn}`)!.map((s) => s.text), ['saveRecording', 'relationalQuery']);
    // The arrow itself is not recorded: it is where its function is.
    const arrow = program.file(save.file)!.summary.functions.findIndex((f, i) => f.parent === save.fn && i !== save.fn);
    assert.ok(arrow >= 0 && !onPath.has(`${save.file}#${arrow}`));
    const sweep = fn('src/sweep.ts', 'sweep');
    assert.ok(!program.startupPath().has(`${sweep.file}#${sweep.fn}`), 'a function an interval runs is not start-up code');
  });

  it('typescript: default exports (a class, a function, a name exported as default) are followed from a default import', () => {
    const { program, fn } = programOf({
      'src/helper.ts': code`
        import { PrismaClient } from '@prisma/client';
        const prisma = new PrismaClient();
        export default class Helper {
          static async recipients() { return prisma.user.findMany(); }
        }
      `,
      'src/present.ts': code`
        import { PrismaClient } from '@prisma/client';
        const prisma = new PrismaClient();
        export default async function present(id: string) { return prisma.group.findUnique({ where: { id } }); }
      `,
      'src/inner.ts': code`
        import { PrismaClient } from '@prisma/client';
        const prisma = new PrismaClient();
        class Inner { static async count() { return prisma.user.count(); } }
        export default Inner;
      `,
      'src/barrel.ts': "export * from './inner';\n",
      'src/route.ts': code`
        import Helper from './helper';
        import present from './present';
        import Inner from './inner';
        import Barrel from './barrel';
        export async function notify() { return Helper.recipients(); }
        export async function show(id: string) { return present(id); }
        export async function total() { return Inner.count(); }
        export async function viaStar() { return Barrel.count(); }
      `,
    });
    assert.deepStrictEqual(chain(program, fn('src/route.ts', 'notify'), 'db-read-many'), ['Helper.recipients', 'prisma.user.findMany']);
    assert.deepStrictEqual(chain(program, fn('src/route.ts', 'show'), 'db-read-one'), ['present', 'prisma.group.findUnique']);
    assert.deepStrictEqual(chain(program, fn('src/route.ts', 'total'), 'db-count'), ['Inner.count', 'prisma.user.count']);
    // `export *` does not pass a default export on.
    assert.deepStrictEqual(effects(program, fn('src/route.ts', 'viaStar')), []);
  });

  it('typescript: a barrel that imports a module\'s export and exports it again (export { presentGroup }) leads to it', () => {
    // As outline's server/presenters/index.ts passes its presenters on.
    const { program, fn } = programOf({
      'src/presenters/group.ts': code`
        import { PrismaClient } from '@prisma/client';
        const prisma = new PrismaClient();
        export default async function presentGroup(id: string) { return prisma.group.count({ where: { id } }); }
      `,
      'src/presenters/user.ts': code`
        import { PrismaClient } from '@prisma/client';
        const prisma = new PrismaClient();
        export async function presentUser(id: string) { return prisma.user.findUnique({ where: { id } }); }
      `,
      'src/presenters/index.ts': "import presentGroup from './group';\nimport { presentUser as user } from './user';\nimport * as all from './user';\n\nexport { presentGroup, user as presentUser, all };\n",
      'src/c1.ts': "import { loop } from './c2';\nexport { loop };\n",
      'src/c2.ts': "import { loop } from './c1';\nexport { loop };\n",
      'src/route.ts': code`
        import { presentGroup, presentUser } from './presenters';
        import { loop } from './c1';
        export async function show(id: string) { return presentGroup(id); }
        export async function me(id: string) { return presentUser(id); }
        export async function circular() { return loop(); }
      `,
    });
    assert.deepStrictEqual(chain(program, fn('src/route.ts', 'show'), 'db-count'), ['presentGroup', 'prisma.group.count']);
    assert.deepStrictEqual(chain(program, fn('src/route.ts', 'me'), 'db-read-one'), ['presentUser', 'prisma.user.findUnique']);
    // Two files that pass the same import back and forth lead nowhere, and end.
    assert.deepStrictEqual(effects(program, fn('src/route.ts', 'circular')), []);
  });

  it('typescript: barrels that re-export each other in a cycle still lead to the function, from either barrel', () => {
    const { program, fn } = programOf({
      'src/route1.ts': "import { countUsers } from './a';\nexport async function first() { return countUsers(); }\n",
      'src/route2.ts': "import { countUsers } from './b';\nexport async function second() { return countUsers(); }\n",
      'src/a.ts': "export * from './b';\nexport * from './c';\n",
      'src/b.ts': "export * from './a';\n",
      'src/d.ts': "export * from './b';\nexport * from './unrelated';\n",
      'src/unrelated.ts': "export function other() { return 1; }\n",
      'src/route3.ts': "import { countUsers } from './d';\nexport async function third() { return countUsers(); }\n",
      'src/c.ts': code`
        import { PrismaClient } from '@prisma/client';
        const prisma = new PrismaClient();
        export async function countUsers() { return prisma.user.count(); }
      `,
    });
    assert.deepStrictEqual(chain(program, fn('src/route1.ts', 'first'), 'db-count'), ['countUsers', 'prisma.user.count']);
    assert.deepStrictEqual(chain(program, fn('src/route2.ts', 'second'), 'db-count'), ['countUsers', 'prisma.user.count']);
    assert.deepStrictEqual(chain(program, fn('src/route3.ts', 'third'), 'db-count'), ['countUsers', 'prisma.user.count']);
  });

  it('a method a class inherits from a base class of the project, in this file or imported, is followed', () => {
    const { program, fn } = programOf({
      'src/tasks/BaseTask.ts': code`
        import { PrismaClient } from '@prisma/client';
        const prisma = new PrismaClient();
        export default abstract class BaseTask<T> {
          async schedule(props: T) { return prisma.job.create({ data: { props: JSON.stringify(props) } }); }
        }
      `,
      'src/tasks/DeliverTask.ts': code`
        import BaseTask from './BaseTask';
        export default class DeliverTask extends BaseTask<{ id: string }> {
          async perform() { return 1; }
        }
      `,
      'src/route.ts': code`
        import DeliverTask from './tasks/DeliverTask';
        export async function deliver(id: string) { return new DeliverTask().schedule({ id }); }
      `,
      'app/__init__.py': '',
      'app/base.py': code`
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        class BaseRepo:
            def __init__(self, session: Session):
                self.session = session

            def get(self, model, id):
                return self.session.execute(select(model).where(model.id == id)).scalar_one()
      `,
      'app/users.py': code`
        from .base import BaseRepo

        class Local(BaseRepo):
            pass

        class UserRepo(Local):
            def name(self, id):
                return self.get(User, id).name
      `,
    });
    assert.deepStrictEqual(chain(program, fn('src/route.ts', 'deliver'), 'db-write'), ['DeliverTask().schedule', 'prisma.job.create']);
    assert.deepStrictEqual(chain(program, fn('app/users.py', 'UserRepo.name'), 'db-read-one').slice(0, 1), ['self.get']);
  });

  it('an override of an ORM method in a project model does what the method it overrides does; a look-alike outside the ORM does nothing', () => {
    const { program, fn } = programOf({
      'src/models/Base.ts': "import { Model } from 'sequelize-typescript';\nexport default class Base extends Model {}\n",
      'src/models/Document.ts': code`
        import { Op } from 'sequelize';
        import Base from './Base';
        export default class Document extends Base {
          static async findByPk(id: string) {
            const scope = this.scope(['withDrafts']);
            return scope.findOne({ where: { id, deletedAt: { [Op.is]: null } } });
          }
          toJSON() { return {}; }
        }
      `,
      'src/cache.ts': code`
        import { EventEmitter } from 'events';
        export default class Cache extends EventEmitter {
          findByPk(id: string) { return this.listeners(id); }
        }
      `,
      'src/route.ts': code`
        import Document from './models/Document';
        import Cache from './cache';
        export async function show(id: string) { return Document.findByPk(id); }
        export function cached(cache: Cache, id: string) { return new Cache().findByPk(id); }
      `,
    });
    assert.deepStrictEqual(chain(program, fn('src/route.ts', 'show'), 'db-read-one'), ['Document.findByPk', "Document.findByPk, overriding Sequelize's findByPk"]);
    assert.deepStrictEqual(effects(program, fn('src/models/Document.ts', 'Document.toJSON')), []);
    assert.deepStrictEqual(effects(program, fn('src/route.ts', 'cached')), []);
  });

  it('go: the methods of a gRPC server declared in other files of its package are handlers; another package\'s same-named type is not', () => {
    const { program, fn } = programOf({
      'go.mod': 'module example.com/app\n',
      'api/v1/server.go': code`
        package v1

        type UnimplementedMemoServiceServer struct{}

        type APIV1Service struct {
        	UnimplementedMemoServiceServer
        }
      `,
      'api/v1/memo_service.go': code`
        package v1

        import "context"

        func (s *APIV1Service) ListMemos(ctx context.Context, req *ListMemosRequest) (*ListMemosResponse, error) {
        	return nil, nil
        }

        func (s *APIV1Service) memoFilter(req *ListMemosRequest) string { return "" }
      `,
      'store/service.go': code`
        package store

        type APIV1Service struct{}

        func (s *APIV1Service) ListMemos() {}
      `,
    });
    assert.strictEqual(program.roleOf(fn('api/v1/memo_service.go', 'APIV1Service.ListMemos'))?.role, 'handler');
    assert.strictEqual(program.roleOf(fn('api/v1/memo_service.go', 'APIV1Service.memoFilter'))?.role, undefined);
    assert.strictEqual(program.roleOf(fn('store/service.go', 'APIV1Service.ListMemos'))?.role, undefined);
  });

  it('a class on a project base that a framework base makes a view (in another module, exported again by a package) has its methods as handlers; the listed methods only', () => {
    const { program, fn } = programOf({
      'app/__init__.py': '',
      'app/views/__init__.py': '',
      'app/views/base.py': code`
        from rest_framework.viewsets import ModelViewSet

        class BaseViewSet(ModelViewSet):
            def finalize_response(self, request, response, *args, **kwargs):
                return response
      `,
      'app/views/project/__init__.py': '',
      'app/views/project/base.py': code`
        from app.views.base import BaseViewSet
      `,
      'app/views/project/member.py': code`
        from .base import BaseViewSet

        class ProjectMemberViewSet(BaseViewSet):
            def create(self, request, slug):
                return None

            def _members(self):
                return []

        class Plain:
            def create(self, request):
                return None
      `,
    });
    const role = (file: string, q: string) => program.roleOf(fn(file, q))?.role;
    assert.strictEqual(role('app/views/project/member.py', 'ProjectMemberViewSet.create'), 'handler');
    assert.strictEqual(role('app/views/project/member.py', 'ProjectMemberViewSet._members'), undefined);
    assert.strictEqual(role('app/views/project/member.py', 'Plain.create'), undefined);
  });

  it('GraphQL resolvers are request handlers: graphene ObjectType methods and Mutation.mutate, Strawberry fields; not a plain class or a helper', () => {
    const { program, fn } = programOf({
      'app/__init__.py': '',
      'app/schema.py': code`
        import graphene
        import strawberry
        from graphene_django import DjangoObjectType

        class UserType(DjangoObjectType):
            def resolve_orders(self, info):
                return []

        class Query(graphene.ObjectType):
            def resolve_users(self, info):
                return []

            def _cache_key(self):
                return ""

        class Rename(graphene.Mutation):
            def mutate(self, info, name):
                return Rename()

            def describe(self):
                return ""

        @strawberry.type
        class SQuery:
            @strawberry.field
            def orders(self) -> list[int]:
                return []

            def total(self) -> int:
                return 0

        class Plain:
            def resolve_x(self, info):
                return []
      `,
    });
    const role = (q: string) => program.roleOf(fn('app/schema.py', q))?.role;
    assert.deepStrictEqual(
      ['UserType.resolve_orders', 'Query.resolve_users', 'Query._cache_key', 'Rename.mutate', 'Rename.describe', 'SQuery.orders', 'SQuery.total', 'Plain.resolve_x'].map(role),
      ['handler', 'handler', undefined, 'handler', undefined, 'handler', undefined, undefined],
    );
  });

  it('the perform method of a class named as a task or a processor is a job (a project\'s own queue framework); other methods and classes are not', () => {
    const { program, fn } = programOf({
      'package.json': '{ "name": "app" }',
      'src/queues/BacklinksProcessor.ts': code`
        export default class BacklinksProcessor extends BaseProcessor {
          async perform(event: DocumentEvent) {
            return this.links(event);
          }
          private async links(event: DocumentEvent) {
            return event;
          }
        }
      `,
      'src/queues/NotifyTask.ts': code`
        export default class NotifyTask extends BaseTask<Props> {
          public async perform(props: Props) {
            return props;
          }
        }
      `,
      'src/util/Formatter.ts': code`
        export class Formatter {
          perform(x: string) {
            return x;
          }
        }
      `,
    });
    assert.strictEqual(program.roleOf(fn('src/queues/BacklinksProcessor.ts', 'BacklinksProcessor.perform'))?.role, 'job');
    assert.strictEqual(program.roleOf(fn('src/queues/NotifyTask.ts', 'NotifyTask.perform'))?.role, 'job');
    assert.strictEqual(program.roleOf(fn('src/queues/BacklinksProcessor.ts', 'BacklinksProcessor.links'))?.role, undefined);
    const links = fn('src/queues/BacklinksProcessor.ts', 'BacklinksProcessor.links');
    assert.ok(program.jobPath().has(`${links.file}#${links.fn}`), 'what perform calls runs in the job');
    assert.strictEqual(program.roleOf(fn('src/util/Formatter.ts', 'Formatter.perform'))?.role, undefined);
  });

  it('a role marker holds only when all it states holds: a handler is no middleware for its signature alone', () => {
    const { program, fn } = programOf({
      'go.mod': 'module example.com/app\n',
      'main.go': code`
        package main

        import "net/http"

        type auth struct{ next http.Handler }

        func (a auth) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.next.ServeHTTP(w, r) }

        func list(w http.ResponseWriter, r *http.Request) {}

        func main() {
        	mux := http.NewServeMux()
        	mux.HandleFunc("/x", list)
        	http.ListenAndServe(":8080", auth{mux})
        }
      `,
      'api/items.go': code`
        package api

        import "github.com/gin-gonic/gin"

        func List(c *gin.Context) { c.JSON(200, nil) }

        func Auth(c *gin.Context) { c.Next() }
      `,
    });
    assert.strictEqual(program.roleOf(fn('main.go', 'list'))?.role, 'handler');
    assert.strictEqual(program.roleOf(fn('main.go', 'auth.ServeHTTP'))?.role, 'middleware');
    assert.strictEqual(program.roleOf(fn('api/items.go', 'List'))?.role, 'handler');
    assert.strictEqual(program.roleOf(fn('api/items.go', 'Auth'))?.role, 'middleware');
  });

  it('typescript: a marker that names files holds only there (a default export is no Next.js middleware elsewhere)', () => {
    const { program, fn } = programOf({
      'src/middleware.ts': 'export default function middleware(req: Request) { return req; }\n',
      'server/commands/mover.ts': 'export default async function mover(id: string) { return id; }\n',
      'server/app/reports/route.ts': 'export async function GET(req: Request) { return req; }\n',
      'server/lib/route.ts': 'export async function GET(url: string) { return url; }\n',
    });
    assert.strictEqual(program.roleOf(fn('src/middleware.ts', 'middleware'))?.role, 'middleware');
    assert.notStrictEqual(program.roleOf(fn('server/commands/mover.ts', 'mover'))?.role, 'middleware');
    assert.strictEqual(program.roleOf(fn('server/app/reports/route.ts', 'GET'))?.role, 'handler');
    assert.notStrictEqual(program.roleOf(fn('server/lib/route.ts', 'GET'))?.role, 'handler');
  });

  it('python: a Flask view registered with add_url_rule(view_func=…) is a request handler', () => {
    const { program, fn } = programOf({
      'app/views.py': code`
        from flask import Flask
        app = Flask(__name__)

        def signup():
            return "ok"

        app.add_url_rule("/signup", view_func=signup)
      `,
    });
    assert.strictEqual(program.roleOf(fn('app/views.py', 'signup'))?.role, 'handler');
  });

  it('a function registered where it is imported takes the role there', () => {
    const { program, fn } = programOf({
      'audit.js': "export function audit(req, res, next) { next(); }\n",
      'app.js': code`
        import express from 'express';
        import { audit } from './audit';
        const app = express();
        app.use(audit);
      `,
    });
    assert.strictEqual(program.roleOf(fn('audit.js', 'audit'))?.role, 'middleware');
  });

  it('typescript: a GraphQL resolver\'s queries and mutations are request handlers; its other methods are not', () => {
    const { program, fn } = programOf({
      'collections.resolver.ts': code`
        import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';

        @Resolver()
        export class CollectionResolver {
          @Query(() => String)
          exportCollections(@Args('id') id: string) { return id; }

          @Mutation(() => Boolean)
          renameCollection(@Args('id') id: string) { return !!id; }

          helper(id: string) { return id; }
        }
      `,
    });
    assert.strictEqual(program.roleOf(fn('collections.resolver.ts', 'CollectionResolver.exportCollections'))?.role, 'handler');
    assert.strictEqual(program.roleOf(fn('collections.resolver.ts', 'CollectionResolver.renameCollection'))?.role, 'handler');
    assert.strictEqual(program.roleOf(fn('collections.resolver.ts', 'CollectionResolver.helper'))?.role, undefined);
  });
});
