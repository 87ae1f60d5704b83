import * as assert from 'assert';
import { applyFix, code, config, findingsOf, hits, scanTree, workspaceHits } from '../../server/test/harness';
import { defaultConfig } from '../../server/src/config/config';

const ID = 'unbounded-page-size';

describe(ID, () => {
  describe('python', () => {
    it('flags a FastAPI page size with no maximum, declared by Query or by a plain default', () => {
      const src = code`
        from fastapi import APIRouter, Query
        router = APIRouter()

        @router.get("/orders")
        async def orders(db: Db, limit: int = Query(50, ge=1), offset: int = 0):
            return await db.orders.find({}).skip(offset).limit(limit).to_list(None)

        @router.get("/users")
        def users(session: Session, per_page: int = 20):
            return session.execute(select(User).limit(per_page)).scalars().all()
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['limit', 'per_page']);
    });

    it('leaves bounded FastAPI parameters alone: le=, Annotated with le=, min(), a check, a function that is no route', () => {
      const src = code`
        from typing import Annotated
        from fastapi import APIRouter, Query
        router = APIRouter()

        @router.get("/a")
        async def a(db: Db, limit: int = Query(50, ge=1, le=200)):
            return await db.t.find({}).limit(limit).to_list(None)

        @router.get("/b")
        async def b(db: Db, limit: Annotated[int, Query(ge=1, lt=101)] = 50):
            return await db.t.find({}).limit(limit).to_list(None)

        @router.get("/c")
        async def c(db: Db, limit: int = 50):
            limit = min(limit, 100)
            return await db.t.find({}).limit(limit).to_list(None)

        @router.get("/d")
        async def d(db: Db, page_size: int = 50):
            if page_size > MAX_PAGE_SIZE:
                raise HTTPException(400)
            return await db.t.find({}).limit(page_size).to_list(None)

        @router.get("/e")
        async def e(q: str, limit: int = 10):
            return {"q": q}

        def helper(db, limit: int = 50):
            return db.t.find({}).limit(limit)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('follows the page size into the project function it is handed to: bounded there, or not', () => {
      const src = code`
        from fastapi import APIRouter, Query
        router = APIRouter()

        def clamp_limit(n):
            if n > 100:
                return 100
            return n

        def list_orders(db, n):
            return db.orders.find({}).limit(n)

        @router.get("/checked")
        async def checked(db: Db, limit: int = Query(20)):
            return await list_orders(db, clamp_limit(limit)).to_list(None)

        @router.get("/unchecked")
        async def unchecked(db: Db, limit: int = Query(20)):
            return await list_orders(db, limit).to_list(None)
      `;
      const [f, ...rest] = findingsOf('python', src, ID);
      assert.deepStrictEqual(rest, []);
      assert.ok(f.start > src.indexOf('async def unchecked'), 'the finding is the unchecked route\'s');
      assert.match(f.message, /`limit: int = Query\(20\)` lets the client choose/);
    });

    it('flags Flask and Django page sizes read from the query string, unless capped', () => {
      const src = code`
        from flask import Flask, request
        app = Flask(__name__)

        @app.get("/posts")
        def posts():
            per_page = request.args.get("per_page", 20, type=int)
            return Post.query.paginate(per_page=per_page)

        @app.get("/capped")
        def capped():
            per_page = min(request.args.get("per_page", 20, type=int), 100)
            return Post.query.paginate(per_page=per_page)

        @app.get("/checked")
        def checked():
            limit = int(request.args.get("limit", 20))
            if not 1 <= limit <= 100:
                abort(400)
            return db.session.execute(select(Post).limit(limit)).all()

        @app.get("/ignored")
        def ignored():
            limit = request.args.get("limit")
            return {"ok": True}
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['request.args.get("per_page", 20, type=int)']);
    });

    it('flags a DRF pagination class that lets the client choose without max_page_size', () => {
      const src = code`
        from rest_framework import serializers
        from rest_framework.pagination import PageNumberPagination

        class OpenPagination(PageNumberPagination):
            page_size = 50
            page_size_query_param = "page_size"

        class CappedPagination(PageNumberPagination):
            page_size = 50
            page_size_query_param = "page_size"
            max_page_size = 500

        class FixedPagination(PageNumberPagination):
            page_size = 50

        class ListQuery(serializers.Serializer):
            page_size = serializers.IntegerField(min_value=1, required=False)
            limit = serializers.IntegerField(min_value=1, max_value=100)
      `;
      // A serializer's field may only document the parameter (the pagination class reads it): not judged.
      assert.deepStrictEqual(hits('python', src, ID), ['page_size_query_param = "page_size"']);
    });

    it('across files: a pydantic model a route builds from its query (Depends()) with a page-size field without a maximum', async () => {
      const result = await scanTree({
        'app/__init__.py': '',
        'app/schemas.py': code`
          from pydantic import BaseModel, Field

          class PaginationQuery(BaseModel):
              page: int = 1
              per_page: int = 50

          class Capped(BaseModel):
              per_page: int = Field(50, ge=1, le=100)

          class Unused(BaseModel):
              limit: int | None = None
        `,
        'app/routes.py': code`
          from fastapi import APIRouter, Depends
          from .schemas import Capped, PaginationQuery

          router = APIRouter()

          @router.get("/recipes")
          def recipes(q: PaginationQuery = Depends(PaginationQuery)):
              return repo.page(q)

          @router.get("/foods")
          def foods(q: Capped = Depends()):
              return repo.page(q)
        `,
      });
      const found = result.files.flatMap((f) => f.findings.filter((x) => x.ruleId === ID).map((x) => ({ at: `${f.path}:${x.line}`, message: x.message, related: x.related.map((r) => `${r.path ?? f.path}:${r.line}`) })));
      assert.deepStrictEqual(found.map((f) => f.at), ['app/schemas.py:5']);
      assert.match(found[0].message, /`PaginationQuery` is built from the query of 1 route \(`recipes`\)/);
      assert.deepStrictEqual(found[0].related, ['app/routes.py:7']);
      // A lone file cannot tell that a route takes the model: nothing there.
      assert.deepStrictEqual(hits('python', 'from pydantic import BaseModel\nclass Q(BaseModel):\n    per_page: int = 50\n', ID), []);
    });

    it('across files: a route that takes a subclass of the model takes its page size too', async () => {
      const found = await workspaceHits({
        'app/__init__.py': '',
        'app/schemas.py': code`
          from pydantic import BaseModel

          class PaginationQuery(BaseModel):
              page: int = 1
              per_page: int = 50

          class RecipeSearchQuery(PaginationQuery):
              search: str | None = None

          class OtherPaging(BaseModel):
              per_page: int = 50
        `,
        'app/routes.py': code`
          from fastapi import APIRouter, Depends
          from .schemas import RecipeSearchQuery

          router = APIRouter()

          @router.get("/recipes")
          def recipes(q: RecipeSearchQuery = Depends()):
              return repo.page(q)
        `,
      }, ID);
      assert.deepStrictEqual(found.map((f) => f.at), ['app/schemas.py:5:5']);
      assert.match(found[0].message, /`PaginationQuery` is built from the query of 1 route \(`recipes`\)/);
      assert.deepStrictEqual(found[0].related, ['app/routes.py:7: `recipes` takes `RecipeSearchQuery` from its query']);
    });

    it('fix: gives the declaration the configured maximum', () => {
      const src = code`
        from fastapi import APIRouter, Query
        router = APIRouter()

        @router.get("/orders")
        async def orders(db: Db, limit: int = Query(50, ge=1)):
            return await db.orders.find({}).limit(limit).to_list(None)
      `;
      assert.match(applyFix('python', src, ID, 'add-maximum'), /limit: int = Query\(50, ge=1, le=100\)/);
      const cfg = config({ thresholds: { ...defaultConfig().thresholds, maxPageSize: 250 } });
      assert.match(applyFix('python', src, ID, 'add-maximum', { cfg }), /le=250\)/);
      const drf = code`
        from rest_framework.pagination import PageNumberPagination

        class OpenPagination(PageNumberPagination):
            page_size_query_param = "page_size"
      `;
      assert.match(applyFix('python', drf, ID, 'add-maximum'), /    page_size_query_param = "page_size"\n    max_page_size = 100\n/);
    });
  });

  describe('typescript', () => {
    it('flags a zod page size with no maximum, not one with .max()/.lte() or a field of another name', () => {
      const src = code`
        import { z } from 'zod';
        export const pagingParams = {
          page: z.coerce.number().int().positive().optional(),
          pageSize: z.coerce.number().int().positive().optional(),
        };
        const capped = z.object({ limit: z.number().int().min(1).max(100).default(20) });
        const lte = z.object({ take: z.coerce.number().lte(50) });
        const other = z.object({ timeout: z.number().positive() });
        // A budget's limit is no page size: nothing beside it pages.
        const budget = z.object({ type: z.string(), limit: z.number().nullish() });
        const paged = z.object({ offset: z.coerce.number().optional(), limit: z.coerce.number().optional() });
        // A page of results describes itself: a response, not a request.
        const result = z.object({ data: z.array(z.unknown()), count: z.number(), perPage: z.number(), totalPages: z.number() });
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), ['pageSize', 'limit']);
    });

    it('fix: .max() goes right after the number schema, before optional()', () => {
      const src = "import { z } from 'zod';\nconst s = z.object({ pageSize: z.coerce.number().int().optional() });\n";
      assert.strictEqual(applyFix('typescript', src, ID, 'add-maximum'), "import { z } from 'zod';\nconst s = z.object({ pageSize: z.coerce.number().max(100).int().optional() });\n");
    });

    it('flags an Express page size read from req.query and handed to a query, unless capped', () => {
      const src = code`
        import express from 'express';
        const app = express();
        app.get('/users', async (req, res) => {
          const limit = Number(req.query.limit) || 20;
          res.json(await prisma.user.findMany({ take: limit }));
        });
        app.get('/capped', async (req, res) => {
          const limit = Math.min(Number(req.query.limit) || 20, 100);
          res.json(await prisma.user.findMany({ take: limit }));
        });
        app.get('/checked', async (req, res) => {
          const { pageSize = 20 } = req.query;
          if (pageSize > 100) return res.status(400).end();
          res.json(await prisma.user.findMany({ take: +pageSize }));
        });
        app.get('/destructured', async (req, res) => {
          const { take = '20', limit: raw } = req.query;
          res.json(await prisma.user.findMany({ take: parseInt(take, 10) }));
          res.json(await prisma.post.findMany({ take: Number(raw) }));
        });
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), ['req.query.limit', 'take = \'20\'', 'limit: raw']);
    });

    it('across files: a class-validator DTO page size without @Max, when a route takes the class (or a subclass) from its request', async () => {
      const dto = code`
        import { IsInt, IsOptional, Max, Min } from 'class-validator';
        export class ListQuery {
          @IsOptional() @IsInt() @Min(1) limit?: number;
          @IsInt() @Min(1) @Max(100) take: number;
          @IsInt() page: number;
        }
        export abstract class PageArgs {
          @IsInt() @Min(1) pageSize: number;
        }
        export class SearchArgs extends PageArgs {
          @IsInt() term: string;
        }
        // Built by the code from a validated DTO, never from the request itself.
        export class ListCommand {
          @IsInt() limit: number;
          @IsInt() offset: number;
        }
      `;
      const controller = code`
        import { Body, Controller, Get, Post, Query } from '@nestjs/common';
        import { ListQuery, SearchArgs } from './list.dto';
        @Controller('items')
        export class ItemsController {
          @Get()
          list(@Query() query: ListQuery) {
            return query;
          }
          @Post('search')
          search(@Body() body: SearchArgs) {
            return body;
          }
        }
      `;
      const found = await workspaceHits({ 'src/list.dto.ts': dto, 'src/items.controller.ts': controller }, ID);
      assert.deepStrictEqual(found.map((f) => f.at), ['src/list.dto.ts:3:34', 'src/list.dto.ts:8:20']);
      assert.match(found[0].message, /`ListQuery` is built from the request of 1 route \(`list`\)\. Give the field a maximum: `@Max\(100\)`\./);
      assert.deepStrictEqual(found[1].related, ['src/items.controller.ts:10: `search` takes `SearchArgs` from its request']);
      // The same DTO with no route taking it: a class, not a request.
      assert.deepStrictEqual(await workspaceHits({ 'src/list.dto.ts': dto }, ID), []);
    });
  });

  describe('go', () => {
    it('flags a query-string page size parsed in a handler and handed to a query, unless capped', () => {
      const src = code`
        package api

        import (
        	"net/http"
        	"strconv"
        )

        func (h *Handler) List(w http.ResponseWriter, r *http.Request) {
        	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
        	rows, _ := h.db.Query("SELECT id FROM entries ORDER BY id LIMIT $1", limit)
        	defer rows.Close()
        }

        func (h *Handler) Capped(w http.ResponseWriter, r *http.Request) {
        	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
        	limit = min(limit, 100)
        	rows, _ := h.db.Query("SELECT id FROM entries ORDER BY id LIMIT $1", limit)
        	defer rows.Close()
        }

        func (h *Handler) Checked(w http.ResponseWriter, r *http.Request) {
        	limit, err := strconv.Atoi(r.FormValue("limit"))
        	if err != nil || limit > maxLimit {
        		http.Error(w, "bad limit", 400)
        		return
        	}
        	rows, _ := h.db.Query("SELECT id FROM entries ORDER BY id LIMIT $1", limit)
        	defer rows.Close()
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['r.URL.Query().Get("limit")']);
    });

    it('follows the value into a validating function of the file', () => {
      const src = code`
        package api

        import (
        	"net/http"
        	"strconv"

        	"github.com/gin-gonic/gin"
        )

        func validateRange(offset, limit int) error {
        	if limit > MaxLimit {
        		return errTooMany
        	}
        	return nil
        }

        func (h *Handler) Validated(c *gin.Context) {
        	limit, _ := strconv.Atoi(c.DefaultQuery("limit", "20"))
        	if err := validateRange(0, limit); err != nil {
        		return
        	}
        	h.store.Entries(limit)
        }

        func (h *Handler) Open(c *gin.Context) {
        	limitStr := c.Query("limit")
        	limit, _ := strconv.Atoi(limitStr)
        	h.store.Entries(limit)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['c.Query("limit")']);
    });

    it("flags a gRPC request message's page size handed on unchecked, not one a function of the file normalises", () => {
      const src = code`
        package v1

        import (
        	"context"

        	v1pb "example.com/memos/proto/gen/api/v1"
        )

        func normalizePageSize(pageSize int32) int {
        	limit := int(pageSize)
        	if limit <= 0 {
        		return DefaultPageSize
        	}
        	if limit > MaxPageSize {
        		return MaxPageSize
        	}
        	return limit
        }

        type UnimplementedMemoServiceServer struct{}

        type APIV1Service struct {
        	UnimplementedMemoServiceServer
        	Store *store.Store
        }

        func (s *APIV1Service) ListMemos(ctx context.Context, request *v1pb.ListMemosRequest) (*v1pb.ListMemosResponse, error) {
        	limit := normalizePageSize(request.PageSize)
        	memos, err := s.Store.ListMemos(ctx, &store.FindMemo{Limit: &limit})
        	return toResponse(memos), err
        }

        func (s *APIV1Service) ListUsers(ctx context.Context, request *v1pb.ListUsersRequest) (*v1pb.ListUsersResponse, error) {
        	users, err := s.Store.ListUsers(ctx, &store.FindUser{Limit: int(request.GetPageSize())})
        	return toUsers(users), err
        }

        func (s *APIV1Service) ListSessions(ctx context.Context, request *v1pb.ListSessionsRequest) (*v1pb.ListSessionsResponse, error) {
        	if request.GetPageSize() <= 0 || request.GetPageSize() > MaxPageSize {
        		request.PageSize = MaxPageSize
        	}
        	sessions, err := s.Store.ListSessions(ctx, int(request.PageSize))
        	return toSessions(sessions), err
        }

        func (s *APIV1Service) describe(request *v1pb.ListUsersRequest) string {
        	return fmt.Sprint(request.PageSize)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['request.GetPageSize()']);
    });

    it('a persistence method shaped like an RPC is no handler: its page size comes from the service that called it', () => {
      const src = code`
        package cassandra

        import (
        	"context"

        	p "example.com/temporal/common/persistence"
        )

        func (s *HistoryStore) ReadHistoryBranch(ctx context.Context, request *p.InternalReadHistoryBranchRequest) (*p.InternalReadHistoryBranchResponse, error) {
        	iter := s.session.Query(readHistory, request.BranchID).PageSize(request.PageSize).Iter()
        	return collect(iter), nil
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });

    it('flags a gin-bound page-size field without a max rule, not one with max=', () => {
      const src = code`
        package api

        type Paging struct {
        	Since uint \`form:"since" binding:"min=0"\`
        	Limit int  \`form:"limit" binding:"min=1"\`
        }

        type Capped struct {
        	Limit int \`form:"limit" binding:"min=1,max=200"\`
        }

        type Response struct {
        	Limit int \`json:"limit"\`
        }

        // huma: the maximum tag caps it by being there.
        type ListParams struct {
        	Page    int \`query:"page" default:"1" minimum:"1"\`
        	PerPage int \`query:"per_page" default:"50" minimum:"1" maximum:"1000"\`
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['Limit']);
      assert.match(applyFix('go', src, ID, 'add-maximum'), /form:"limit" binding:"min=1,max=100"/);
    });
  });
});
