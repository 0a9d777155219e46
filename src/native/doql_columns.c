/*
** doql_columns: a SQLite loadable extension serving doql's API tables from a binary batch, so that rows cross
** into SQLite without one JavaScript call per row and one per value (src/engine/native-rows.ts loads it).
**
** Loading it registers one SQL function, doql_define(name, declaration, parameters, columns, names), which registers
** an eponymous-only virtual table `name` declared by `declaration` (CREATE TABLE x(...)), its first `parameters`
** columns HIDDEN (then `columns` others; `names` are the hidden ones', each ended by \x1f, for error messages): the pushed-down parameters, the first of them the account (`context`). Each scan (xFilter)
** runs, on the same connection, the nested statement
**     SELECT doql_rows(name, grouping, argument 1, ..., argument P)
** where doql_rows is a JavaScript function (native-rows.ts): it returns the batch (a blob), or NULL for no rows
** (a run that missed a fetch). The cursor keeps the nested statement stepped while it serves rows, so the blob
** stays where SQLite put it; the next xFilter or xClose resets it. An exception thrown by doql_rows stays
** pending in V8 (better-sqlite3 marks it), the nested step fails, this xFilter fails, and better-sqlite3
** rethrows that same exception to whoever stepped the outer statement.
**
** Hidden columns: the account is the segment's context; another parameter is the value its `=` constraint gave
** (omitted constraints read NULL), as better-sqlite3's own virtual tables serve them.
**
** xBestIndex follows better-sqlite3's rules (a constraint on a parameter must be `=` and usable, omit=1, idxNum
** the bit mask of constrained parameters, cost 1e9/(arguments+1)) and adds one: when SQLite asks only that rows
** with equal ORDER BY values be adjacent (sqlite3_vtab_distinct 1: a GROUP BY; 2: a DISTINCT) and every ORDER BY
** term is a column of this table, it sets orderByConsumed and passes that value and those column numbers, "d"
** after a descending one (idxStr, "1:3,5d"), as doql_rows's grouping: JavaScript then sends rows with equal keys
** together (SQLite's equality: NULLs together, text by bytes, integer 1 equal to real 1.0), for a GROUP BY with
** the groups in the order SQLite's sorter would have put them, and SQLite's GROUP BY needs no sorter.
**
** The batch (all integers little-endian, read with memcpy: nothing in it is aligned):
**   u32 magic 0x31425144 ("DQB1")   u32 columns (the visible ones, declared order)   u32 segments   u32 ordered
**   segments, each:  u32 rows   u32 context length   context (UTF-8)
**                    columns, each:  u32 entries   u8 width (0, 1, 2 or 4)   u32 text bytes
**                                    entries x 9 bytes: u8 type (0 NULL, 1 integer, 2 real, 3 text) then
**                                      i64 | f64 | u32 offset, u32 length into the column's text
**                                    the column's text (UTF-8)
**                                    rows x width: each row's entry number (width 0: every row is entry 0)
**   ordered x u32: the order to serve rows in, as numbers counted across the segments (0: segments in turn)
** A column of 100,000 distinct ids is simply a dictionary as long as its rows.
*/
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1
#include <stdlib.h>
#include <string.h>

#define DOQL_MAGIC 0x31425144u
#define ENTRY_BYTES 9
#define MAX_PARAMETERS 32

typedef struct Definition {
  char *name;
  char *declaration;
  int parameters; /* hidden columns, first */
  char *parameterNames; /* their names, each ended by \x1f (for errors) */
  int columns;    /* the others */
} Definition;

typedef struct Table {
  sqlite3_vtab base;
  sqlite3 *db;
  const Definition *def;
  int columns; /* visible columns */
} Table;

typedef struct Column {
  const unsigned char *entries;
  const unsigned char *text;
  const unsigned char *codes;
  unsigned entryCount;
  unsigned width;
  unsigned textBytes;
} Column;

typedef struct Segment {
  const unsigned char *context;
  unsigned contextBytes;
  unsigned rows;
  unsigned first; /* rows before it, counted across segments */
  Column *columns;
} Segment;

typedef struct Cursor {
  sqlite3_vtab_cursor base;
  sqlite3_stmt *nested;
  sqlite3_value *args[MAX_PARAMETERS];
  Segment *segments;
  Column *columnPool;
  unsigned segmentCount;
  const unsigned char *order;
  unsigned ordered;
  sqlite3_int64 total;
  sqlite3_int64 position; /* the row served now, 0-based in serving order */
  unsigned segment;       /* its segment */
  unsigned row;           /* its row within the segment */
} Cursor;

static unsigned readU32(const unsigned char *p) {
  unsigned v;
  memcpy(&v, p, 4);
  return v;
}

static int tableError(Table *t, const char *message) {
  sqlite3_free(t->base.zErrMsg);
  t->base.zErrMsg = sqlite3_mprintf("%s", message);
  return SQLITE_ERROR;
}

static int xConnect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **err) {
  const Definition *def = (const Definition *)aux;
  Table *t;
  int rc = sqlite3_declare_vtab(db, def->declaration);
  (void)argc;
  (void)argv;
  if (rc != SQLITE_OK) {
    *err = sqlite3_mprintf("doql_columns: cannot declare \"%s\"", def->name);
    return rc;
  }
  t = sqlite3_malloc(sizeof(Table));
  if (!t) return SQLITE_NOMEM;
  memset(t, 0, sizeof(Table));
  t->db = db;
  t->def = def;
  t->columns = def->columns;
  *out = &t->base;
  return SQLITE_OK;
}

static int xDisconnect(sqlite3_vtab *vtab) {
  sqlite3_free(vtab);
  return SQLITE_OK;
}

static int xBestIndex(sqlite3_vtab *vtab, sqlite3_index_info *info) {
  Table *t = (Table *)vtab;
  int parameters = t->def->parameters;
  int slot[MAX_PARAMETERS];
  int i, count = 0, distinct;
  for (i = 0; i < MAX_PARAMETERS; i++) slot[i] = -1;
  for (i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    if (c->op == SQLITE_INDEX_CONSTRAINT_LIMIT || c->op == SQLITE_INDEX_CONSTRAINT_OFFSET) continue;
    if (c->iColumn < 0 || c->iColumn >= parameters) continue;
    if (c->op != SQLITE_INDEX_CONSTRAINT_EQ) {
      /* better-sqlite3's own message, which sqlite-error.ts turns into advice. */
      const char *name = t->def->parameterNames;
      const char *end;
      int k;
      for (k = 0; k < c->iColumn && name; k++) {
        name = strchr(name, '\x1f');
        if (name) name++;
      }
      end = name ? strchr(name, '\x1f') : 0;
      sqlite3_free(vtab->zErrMsg);
      vtab->zErrMsg = sqlite3_mprintf("virtual table parameter \"%.*s\" can only be constrained by the '=' operator", end ? (int)(end - name) : 0, name ? name : "");
      return SQLITE_ERROR;
    }
    /* A plan that ignores an argument would serve rows the argument excludes. */
    if (!c->usable) return SQLITE_CONSTRAINT;
    if (slot[c->iColumn] < 0) slot[c->iColumn] = i;
  }
  info->idxNum = 0;
  for (i = 0; i < parameters; i++) {
    if (slot[i] < 0) continue;
    info->idxNum |= (int)(1u << i);
    info->aConstraintUsage[slot[i]].argvIndex = ++count;
    info->aConstraintUsage[slot[i]].omit = 1;
  }
  info->estimatedCost = 1000000000.0 / (count + 1);
  info->estimatedRows = 1000000000 / (count + 1);
  distinct = sqlite3_vtab_distinct(info);
  if ((distinct == 1 || distinct == 2) && info->nOrderBy > 0) {
    sqlite3_str *columns = sqlite3_str_new(0);
    char *text;
    sqlite3_str_appendf(columns, "%d:", distinct);
    for (i = 0; i < info->nOrderBy; i++) {
      int c = info->aOrderBy[i].iColumn;
      if (c < 0) break;
      sqlite3_str_appendf(columns, i ? ",%d%s" : "%d%s", c, info->aOrderBy[i].desc ? "d" : "");
    }
    text = sqlite3_str_finish(columns);
    if (!text) return SQLITE_NOMEM;
    if (i == info->nOrderBy) {
      info->orderByConsumed = 1;
      info->idxStr = text;
      info->needToFreeIdxStr = 1;
    } else {
      sqlite3_free(text);
    }
  }
  return SQLITE_OK;
}

static int xOpen(sqlite3_vtab *vtab, sqlite3_vtab_cursor **out) {
  Cursor *c = sqlite3_malloc(sizeof(Cursor));
  (void)vtab;
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof(Cursor));
  *out = &c->base;
  return SQLITE_OK;
}

/* Lets go of the last scan's batch and arguments. */
static void releaseScan(Cursor *c) {
  int i;
  if (c->nested) sqlite3_reset(c->nested);
  for (i = 0; i < MAX_PARAMETERS; i++) {
    sqlite3_value_free(c->args[i]);
    c->args[i] = 0;
  }
  sqlite3_free(c->segments);
  sqlite3_free(c->columnPool);
  c->segments = 0;
  c->columnPool = 0;
  c->segmentCount = 0;
  c->order = 0;
  c->ordered = 0;
  c->total = 0;
  c->position = 0;
}

static int xClose(sqlite3_vtab_cursor *cur) {
  Cursor *c = (Cursor *)cur;
  releaseScan(c);
  sqlite3_finalize(c->nested);
  sqlite3_free(c);
  return SQLITE_OK;
}

/* Reads the batch's layout into the cursor; SQLITE_ERROR (with the table's message) if it is malformed. */
static int readBatch(Cursor *c, Table *t, const unsigned char *p, sqlite3_int64 size) {
  const unsigned char *end = p + size;
  unsigned columns, segments, ordered, s, j;
  sqlite3_int64 total = 0;
  if (size < 16 || readU32(p) != DOQL_MAGIC) return tableError(t, "doql_columns: not a batch");
  columns = readU32(p + 4);
  segments = readU32(p + 8);
  ordered = readU32(p + 12);
  p += 16;
  if ((int)columns != t->columns) return tableError(t, "doql_columns: the batch has another number of columns than the table");
  c->segments = sqlite3_malloc64(((sqlite3_uint64)segments + 1) * sizeof(Segment));
  c->columnPool = sqlite3_malloc64(((sqlite3_uint64)segments * columns + 1) * sizeof(Column));
  if (!c->segments || !c->columnPool) return SQLITE_NOMEM;
  for (s = 0; s < segments; s++) {
    Segment *g = &c->segments[s];
    if (end - p < 8) return tableError(t, "doql_columns: truncated batch");
    g->rows = readU32(p);
    g->contextBytes = readU32(p + 4);
    p += 8;
    if ((sqlite3_uint64)(end - p) < g->contextBytes) return tableError(t, "doql_columns: truncated batch");
    g->context = p;
    p += g->contextBytes;
    g->first = (unsigned)total;
    g->columns = &c->columnPool[(sqlite3_uint64)s * columns];
    total += g->rows;
    for (j = 0; j < columns; j++) {
      Column *col = &g->columns[j];
      sqlite3_uint64 need;
      if (end - p < 9) return tableError(t, "doql_columns: truncated batch");
      col->entryCount = readU32(p);
      col->width = p[4];
      col->textBytes = readU32(p + 5);
      p += 9;
      if (col->width != 0 && col->width != 1 && col->width != 2 && col->width != 4) return tableError(t, "doql_columns: bad code width");
      if (col->entryCount == 0 && g->rows > 0) return tableError(t, "doql_columns: a column without entries");
      if (col->width == 0 && col->entryCount > 1) return tableError(t, "doql_columns: bad code width");
      need = (sqlite3_uint64)col->entryCount * ENTRY_BYTES + col->textBytes + (sqlite3_uint64)g->rows * col->width;
      if ((sqlite3_uint64)(end - p) < need) return tableError(t, "doql_columns: truncated batch");
      col->entries = p;
      col->text = p + (sqlite3_uint64)col->entryCount * ENTRY_BYTES;
      col->codes = col->text + col->textBytes;
      p += need;
    }
  }
  if (ordered != 0 && ordered != total) return tableError(t, "doql_columns: the batch's order does not count its rows");
  if ((sqlite3_uint64)(end - p) < (sqlite3_uint64)ordered * 4) return tableError(t, "doql_columns: truncated batch");
  c->segmentCount = segments;
  c->order = ordered ? p : 0;
  c->ordered = ordered;
  c->total = total;
  return SQLITE_OK;
}

/* Points the cursor at the row served at `position` (which must be < total). */
static int seek(Cursor *c) {
  unsigned at;
  if (c->order) {
    at = readU32(c->order + (sqlite3_uint64)c->position * 4);
    if (at >= c->total) {
      return tableError((Table *)c->base.pVtab, "doql_columns: a row number past the batch");
    }
    /* Segments are few (one per account): a walk from the first is cheap. */
    c->segment = 0;
    while (at >= c->segments[c->segment].first + c->segments[c->segment].rows) c->segment++;
    c->row = at - c->segments[c->segment].first;
  } else {
    while (c->row >= c->segments[c->segment].rows) {
      c->segment++;
      c->row = 0;
    }
  }
  return SQLITE_OK;
}

static int xFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc, sqlite3_value **argv) {
  Cursor *c = (Cursor *)cur;
  Table *t = (Table *)cur->pVtab;
  int parameters = t->def->parameters;
  int i, n = 0, rc;
  releaseScan(c);
  if (!c->nested) {
    char *sql;
    sqlite3_str *text = sqlite3_str_new(t->db);
    sqlite3_str_appendall(text, "SELECT doql_rows(?, ?");
    for (i = 0; i < parameters; i++) sqlite3_str_appendall(text, ", ?");
    sqlite3_str_appendall(text, ")");
    sql = sqlite3_str_finish(text);
    if (!sql) return SQLITE_NOMEM;
    rc = sqlite3_prepare_v3(t->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->nested, 0);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) return tableError(t, sqlite3_errmsg(t->db));
  }
  sqlite3_clear_bindings(c->nested);
  sqlite3_bind_text(c->nested, 1, t->def->name, -1, SQLITE_STATIC);
  if (idxStr) sqlite3_bind_text(c->nested, 2, idxStr, -1, SQLITE_TRANSIENT);
  for (i = 0; i < parameters && i < MAX_PARAMETERS; i++) {
    if (!((unsigned)idxNum & (1u << i))) continue;
    if (n >= argc) return tableError(t, "doql_columns: fewer arguments than constraints");
    /* A NULL argument matches no row: nothing to ask for. */
    if (sqlite3_value_type(argv[n]) == SQLITE_NULL) return SQLITE_OK;
    c->args[i] = sqlite3_value_dup(argv[n]);
    if (!c->args[i]) return SQLITE_NOMEM;
    sqlite3_bind_value(c->nested, 3 + i, argv[n]);
    n++;
  }
  rc = sqlite3_step(c->nested);
  if (rc != SQLITE_ROW) {
    /* The JavaScript exception, if one was thrown, is what better-sqlite3 reports: this message is not. */
    tableError(t, sqlite3_errmsg(t->db));
    sqlite3_reset(c->nested);
    return SQLITE_ERROR;
  }
  if (sqlite3_column_type(c->nested, 0) == SQLITE_NULL) return SQLITE_OK;
  {
    const unsigned char *blob = sqlite3_column_blob(c->nested, 0);
    int size = sqlite3_column_bytes(c->nested, 0);
    rc = readBatch(c, t, blob, size);
    if (rc != SQLITE_OK) return rc;
  }
  c->position = 0;
  c->segment = 0;
  c->row = 0;
  return c->total > 0 ? seek(c) : SQLITE_OK;
}

static int xNext(sqlite3_vtab_cursor *cur) {
  Cursor *c = (Cursor *)cur;
  c->position++;
  c->row++;
  return c->position < c->total ? seek(c) : SQLITE_OK;
}

static int xEof(sqlite3_vtab_cursor *cur) {
  Cursor *c = (Cursor *)cur;
  return c->position >= c->total;
}

static int xColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  Cursor *c = (Cursor *)cur;
  Table *t = (Table *)cur->pVtab;
  const Segment *g = &c->segments[c->segment];
  const Column *col;
  const unsigned char *e;
  unsigned code = 0;
  int parameters = t->def->parameters;
  if (i < parameters) {
    if (i == 0) sqlite3_result_text(ctx, (const char *)g->context, (int)g->contextBytes, SQLITE_TRANSIENT);
    else if (c->args[i]) sqlite3_result_value(ctx, c->args[i]);
    else sqlite3_result_null(ctx);
    return SQLITE_OK;
  }
  if (i - parameters >= t->columns) {
    sqlite3_result_null(ctx);
    return SQLITE_OK;
  }
  col = &g->columns[i - parameters];
  if (col->width == 1) code = col->codes[c->row];
  else if (col->width == 2) {
    unsigned short v;
    memcpy(&v, col->codes + (sqlite3_uint64)c->row * 2, 2);
    code = v;
  } else if (col->width == 4) code = readU32(col->codes + (sqlite3_uint64)c->row * 4);
  if (code >= col->entryCount) {
    sqlite3_result_error(ctx, "doql_columns: an entry number past the column's entries", -1);
    return SQLITE_ERROR;
  }
  e = col->entries + (sqlite3_uint64)code * ENTRY_BYTES;
  switch (e[0]) {
    case 1: {
      sqlite3_int64 v;
      memcpy(&v, e + 1, 8);
      sqlite3_result_int64(ctx, v);
      break;
    }
    case 2: {
      double v;
      memcpy(&v, e + 1, 8);
      sqlite3_result_double(ctx, v);
      break;
    }
    case 3: {
      unsigned offset = readU32(e + 1), length = readU32(e + 5);
      if ((sqlite3_uint64)offset + length > col->textBytes) {
        sqlite3_result_error(ctx, "doql_columns: text past the column's text", -1);
        return SQLITE_ERROR;
      }
      /* Copied: SQLite may keep a value (max(), a join's outer row) past this batch's life. */
      sqlite3_result_text(ctx, (const char *)col->text + offset, (int)length, SQLITE_TRANSIENT);
      break;
    }
    default:
      sqlite3_result_null(ctx);
  }
  return SQLITE_OK;
}

static int xRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = ((Cursor *)cur)->position + 1;
  return SQLITE_OK;
}

static sqlite3_module doqlModule = {
  0,           /* iVersion */
  0,           /* xCreate: none, so eponymous-only */
  xConnect,    /* xConnect */
  xBestIndex,  /* xBestIndex */
  xDisconnect, /* xDisconnect */
  xDisconnect, /* xDestroy */
  xOpen,       /* xOpen */
  xClose,      /* xClose */
  xFilter,     /* xFilter */
  xNext,       /* xNext */
  xEof,        /* xEof */
  xColumn,     /* xColumn */
  xRowid,      /* xRowid */
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

static void freeDefinition(void *p) {
  Definition *def = (Definition *)p;
  if (!def) return;
  sqlite3_free(def->name);
  sqlite3_free(def->declaration);
  sqlite3_free(def->parameterNames);
  sqlite3_free(def);
}

/* The names doql_define registered on one connection: each once (replacing a module in use would free it). */
typedef struct Registry {
  char **names;
  int count;
} Registry;

static void freeRegistry(void *p) {
  Registry *r = (Registry *)p;
  int i;
  for (i = 0; i < r->count; i++) sqlite3_free(r->names[i]);
  sqlite3_free(r->names);
  sqlite3_free(r);
}

/* doql_define(name, declaration, parameters, columns, names): registers the table `name` on this connection. */
static void defineTable(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  Registry *registry = (Registry *)sqlite3_user_data(ctx);
  Definition *def;
  char **names;
  int rc, i;
  (void)argc;
  if (sqlite3_value_type(argv[0]) != SQLITE_TEXT || sqlite3_value_type(argv[1]) != SQLITE_TEXT) {
    sqlite3_result_error(ctx, "doql_define(name, declaration, parameters, columns, names) takes two texts, two numbers and a text", -1);
    return;
  }
  for (i = 0; i < registry->count; i++) {
    if (strcmp(registry->names[i], (const char *)sqlite3_value_text(argv[0])) == 0) {
      sqlite3_result_error(ctx, "doql_define: that table is already defined", -1);
      return;
    }
  }
  names = sqlite3_realloc64(registry->names, sizeof(char *) * ((sqlite3_uint64)registry->count + 1));
  if (!names) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  registry->names = names;
  def = sqlite3_malloc(sizeof(Definition));
  if (!def) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  memset(def, 0, sizeof(Definition));
  def->name = sqlite3_mprintf("%s", sqlite3_value_text(argv[0]));
  def->declaration = sqlite3_mprintf("%s", sqlite3_value_text(argv[1]));
  def->parameters = sqlite3_value_int(argv[2]);
  def->columns = sqlite3_value_int(argv[3]);
  def->parameterNames = sqlite3_mprintf("%s", argc > 4 && sqlite3_value_type(argv[4]) == SQLITE_TEXT ? (const char *)sqlite3_value_text(argv[4]) : "");
  if (!def->name || !def->declaration || !def->parameterNames) {
    freeDefinition(def);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if (def->parameters < 1 || def->parameters > MAX_PARAMETERS || def->columns < 0) {
    freeDefinition(def);
    sqlite3_result_error(ctx, "doql_define: between 1 and 32 hidden parameters", -1);
    return;
  }
  registry->names[registry->count] = sqlite3_mprintf("%s", def->name);
  if (!registry->names[registry->count]) {
    freeDefinition(def);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  registry->count++;
  rc = sqlite3_create_module_v2(sqlite3_context_db_handle(ctx), def->name, &doqlModule, def, freeDefinition);
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  sqlite3_result_int(ctx, 1);
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_doqlcolumns_init(sqlite3 *db, char **err, const sqlite3_api_routines *api) {
  Registry *registry;
  SQLITE_EXTENSION_INIT2(api);
  (void)err;
  registry = sqlite3_malloc(sizeof(Registry));
  if (!registry) return SQLITE_NOMEM;
  memset(registry, 0, sizeof(Registry));
  return sqlite3_create_function_v2(db, "doql_define", 5, SQLITE_UTF8 | SQLITE_DIRECTONLY, registry, defineTable, 0, 0, freeRegistry);
}
