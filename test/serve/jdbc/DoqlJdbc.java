// Drives `doql serve` with the real PostgreSQL JDBC driver (pgjdbc) as a JDBC user and JDBC-based tools (DBeaver,
// DataGrip, Metabase, Tableau) do, and prints one JSON object per scenario for test/serve/jdbc.test.ts to check.
// Run: java -cp /usr/share/java/postgresql.jar DoqlJdbc.java PORT CLUSTER_ID NEW_TAG SCENARIO...
import java.sql.*;
import java.util.*;

public class DoqlJdbc {
  static String url(int port, String extra) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/digitalocean?user=tester&ApplicationName=doql-jdbc-test" + extra;
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String cluster = args[1];
    String tag = args[2];
    Map<String, Object> all = new LinkedHashMap<>();
    // One JVM for every scenario (each launch compiles this file); a scenario that throws reports its error.
    for (String scenario : Arrays.copyOfRange(args, 3, args.length)) {
      Map<String, Object> out = new LinkedHashMap<>();
      try {
        switch (scenario) {
          case "connect" -> connect(port, out);
          case "backups" -> backups(port, cluster, out);
          case "droplets" -> droplets(port, out);
          case "metadata" -> metadata(port, out);
          case "prepared" -> prepared(port, out);
          case "fetch" -> fetch(port, out);
          case "update" -> update(port, tag, out);
          case "errors" -> errors(port, out);
          case "params" -> params(port, out);
          case "batch" -> batch(port, tag, out);
          case "timeout" -> timeout(port, out);
          case "tools" -> tools(port, out);
          case "extras" -> extras(port, out);
          case "arrays" -> arrays(port, out);
          default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
      } catch (Exception e) {
        out.put("error", e instanceof SQLException q ? "SQLSTATE " + q.getSQLState() + ": " + q.getMessage() : e.toString());
      }
      all.put(scenario, out);
    }
    System.out.println(json(all));
  }

  /** Connecting (startup parameters, extra_float_digits, the server_version check) and the connection's own calls. */
  static void connect(int port, Map<String, Object> out) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(port, ""))) {
      DatabaseMetaData md = c.getMetaData();
      out.put("product", md.getDatabaseProductName());
      out.put("version", md.getDatabaseProductVersion());
      out.put("major", md.getDatabaseMajorVersion());
      out.put("minor", md.getDatabaseMinorVersion());
      out.put("user", md.getUserName());
      out.put("url", md.getURL());
      out.put("catalog", c.getCatalog());
      out.put("schema", c.getSchema());
      out.put("valid", c.isValid(5));
      out.put("isolation", c.getTransactionIsolation());
      c.setReadOnly(true);
      out.put("readOnly", c.isReadOnly());
      // Read-only with autocommit off: pgjdbc opens each transaction with BEGIN READ ONLY.
      c.setAutoCommit(false);
      out.put("readOnlyQuery", firstString(c, "SELECT name FROM digitalocean.compute.regions ORDER BY slug LIMIT 1"));
      out.put("readOnlyTransactionInsert", insertState(c, "jdbc-read-only-transaction"));
      c.rollback();
      c.setAutoCommit(true);
      c.setReadOnly(false);
      out.put("validAfter", c.isValid(5));
    }
    // readOnlyMode=always: pgjdbc sets the session read only (SET SESSION CHARACTERISTICS …) even in autocommit.
    try (Connection c = DriverManager.getConnection(url(port, "&readOnly=true&readOnlyMode=always"))) {
      out.put("alwaysReadOnly", firstString(c, "SELECT 'ok'"));
      out.put("readOnlyInsert", insertState(c, "jdbc-read-only"));
      c.setReadOnly(false);
      out.put("readWriteShow", firstString(c, "SHOW transaction_read_only"));
    }
  }

  /** Tries to create a tag: "sent", or the SQLState of the refusal. */
  static String insertState(Connection c, String tag) {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO digitalocean.compute.tags (data__name) VALUES (?)")) {
      ps.setString(1, tag);
      ps.executeUpdate();
      return "sent";
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }

  /** StackQL's example, prepared with a bound string, and its rows through typed getters. */
  static void backups(int port, String cluster, Map<String, Object> out) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(port, ""));
        PreparedStatement ps = c.prepareStatement(
            "SELECT created_at, size_gigabytes, incremental FROM digitalocean.databases.backups WHERE database_cluster_uuid = ? ORDER BY created_at")) {
      ps.setString(1, cluster);
      try (ResultSet rs = ps.executeQuery()) {
        out.put("columns", columns(rs.getMetaData()));
        List<Object> rows = new ArrayList<>();
        while (rs.next()) {
          Timestamp t = rs.getTimestamp("created_at");
          rows.add(List.of(t.toInstant().toString(), rs.getDouble(2), rs.getBigDecimal(2).toPlainString(), rs.getBoolean(3),
              rs.getObject(1).getClass().getName(), rs.getObject(2).getClass().getName()));
        }
        out.put("rows", rows);
      }
    }
  }

  /** Integers, booleans, text and a JSON array column; `id = ANY(?)` with a JDBC array. */
  static void droplets(int port, Map<String, Object> out) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(port, ""))) {
      List<Object> rows = new ArrayList<>();
      List<Long> ids = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT id, name, locked, memory, tags, created_at FROM digitalocean.compute.droplets ORDER BY id")) {
        out.put("columns", columns(rs.getMetaData()));
        while (rs.next()) {
          ids.add(rs.getLong("id"));
          Object tags = rs.getObject("tags");
          rows.add(Arrays.asList(rs.getLong("id"), rs.getString("name"), rs.getBoolean("locked"), rs.getInt("memory"), rs.getString("tags"),
              tags == null ? null : tags.getClass().getName(), rs.getTimestamp("created_at").toInstant().toString()));
        }
      }
      out.put("rows", rows);
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM digitalocean.compute.droplets WHERE id = ANY(?) ORDER BY id")) {
        ps.setArray(1, c.createArrayOf("int8", new Long[] {ids.get(0), ids.get(ids.size() - 1), 1L}));
        out.put("anyIds", longs(ps));
      }
    }
  }

  /** What DBeaver, DataGrip and Metabase ask DatabaseMetaData for when they open a connection and a table. */
  static void metadata(int port, Map<String, Object> out) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(port, ""))) {
      DatabaseMetaData md = c.getMetaData();
      out.put("catalogs", attempt(() -> strings(md.getCatalogs(), "TABLE_CAT")));
      out.put("schemas", attempt(() -> strings(md.getSchemas(), "TABLE_SCHEM")));
      out.put("schemasLike", attempt(() -> strings(md.getSchemas(null, "data%"), "TABLE_SCHEM")));
      out.put("tableTypes", attempt(() -> strings(md.getTableTypes(), "TABLE_TYPE")));
      List<Object> tables = new ArrayList<>();
      try (ResultSet rs = md.getTables(null, "databases", "back%", new String[] {"TABLE"})) {
        while (rs.next()) tables.add(List.of(rs.getString("TABLE_SCHEM"), rs.getString("TABLE_NAME"), rs.getString("TABLE_TYPE"), String.valueOf(rs.getString("REMARKS"))));
      }
      out.put("tables", tables);
      out.put("allTables", attempt(() -> count(md.getTables(null, null, "%", null))));
      List<Object> cols = new ArrayList<>();
      try (ResultSet rs = md.getColumns(null, "databases", "backups", null)) {
        while (rs.next()) {
          cols.add(List.of(rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"), rs.getString("TYPE_NAME"), rs.getInt("ORDINAL_POSITION"),
              rs.getString("IS_NULLABLE"), String.valueOf(rs.getString("REMARKS"))));
        }
      }
      out.put("columns", cols);
      out.put("columnsLike", attempt(() -> strings(md.getColumns(null, "databases", "backups", "size%"), "COLUMN_NAME")));
      out.put("primaryKeys", attempt(() -> count(md.getPrimaryKeys(null, "databases", "backups"))));
      out.put("importedKeys", attempt(() -> count(md.getImportedKeys(null, "databases", "backups"))));
      out.put("exportedKeys", attempt(() -> count(md.getExportedKeys(null, "databases", "backups"))));
      out.put("indexInfo", attempt(() -> count(md.getIndexInfo(null, "databases", "backups", false, true))));
      out.put("typeInfo", attempt(() -> strings(md.getTypeInfo(), "TYPE_NAME")));
      out.put("functions", attempt(() -> count(md.getFunctions(null, "pg_catalog", "lower"))));
      out.put("procedures", attempt(() -> count(md.getProcedures(null, "databases", "%"))));
      out.put("udts", attempt(() -> count(md.getUDTs(null, "databases", "%", null))));
      out.put("privileges", attempt(() -> count(md.getTablePrivileges(null, "databases", "backups"))));
      out.put("bestRowIdentifier", attempt(() -> count(md.getBestRowIdentifier(null, "databases", "backups", DatabaseMetaData.bestRowSession, true))));
      out.put("versionColumns", attempt(() -> count(md.getVersionColumns(null, "databases", "backups"))));
      out.put("keywords", attempt(() -> Arrays.asList(md.getSQLKeywords().split(",")).contains("limit")));
    }
  }

  /** The same PreparedStatement six times: past prepareThreshold (5 by default, 1 here too) pgjdbc names a server statement. */
  static void prepared(int port, Map<String, Object> out) throws SQLException {
    for (String threshold : new String[] {"", "&prepareThreshold=1", "&prepareThreshold=-1", "&preferQueryMode=simple", "&stringtype=unspecified", "&binaryTransfer=false", "&preferQueryMode=extendedCacheEverything"}) {
      List<Object> runs = new ArrayList<>();
      try (Connection c = DriverManager.getConnection(url(port, threshold));
          PreparedStatement ps = c.prepareStatement(
              "SELECT id, name, created_at, memory FROM digitalocean.compute.droplets WHERE memory >= ? AND name <> ? ORDER BY id")) {
        for (int i = 0; i < 6; i++) {
          ps.setInt(1, 0);
          ps.setString(2, "no such droplet");
          List<Object> rows = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) rows.add(List.of(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant().toString(), rs.getInt(4)));
          }
          runs.add(rows);
        }
        ps.setInt(1, 1_000_000_000);
        try (ResultSet rs = ps.executeQuery()) {
          out.put("none" + threshold, rs.next());
        }
      }
      out.put("runs" + threshold, runs);
    }
  }

  /** ARRAY[…] columns through getArray: text[], int4[], int8[], in text and (server-prepared) binary. */
  static void arrays(int port, Map<String, Object> out) throws SQLException {
    for (String mode : new String[] {"", "&prepareThreshold=1"}) {
      List<Object> runs = new ArrayList<>();
      try (Connection c = DriverManager.getConnection(url(port, mode));
          PreparedStatement ps = c.prepareStatement("SELECT ARRAY['a', 'b c', NULL] AS t, ARRAY[1, -2] AS i, ARRAY[3000000000] AS l")) {
        for (int run = 0; run < 3; run++) {
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            List<Object> row = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
              Object[] values = (Object[]) rs.getArray(i).getArray();
              row.add(Arrays.asList(rs.getMetaData().getColumnTypeName(i), values.getClass().getComponentType().getSimpleName(), Arrays.asList(values)));
            }
            runs.add(row);
          }
        }
      }
      out.put("runs" + mode, runs);
    }
  }

  /** setFetchSize with autocommit off: pgjdbc reads through a portal, a few rows per Execute (PortalSuspended between). */
  static void fetch(int port, Map<String, Object> out) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(port, ""))) {
      c.setAutoCommit(false);
      for (String sql : new String[] {"SELECT id FROM digitalocean.compute.droplets ORDER BY id", "SELECT n FROM generate_series(1, 25) AS t(n)"}) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          ps.setFetchSize(2);
          out.put(sql.contains("droplets") ? "fetched" : "series", longs(ps));
        }
      }
      // Another statement in the same transaction while a portal is still open.
      try (Statement s1 = c.createStatement(); Statement s2 = c.createStatement()) {
        s1.setFetchSize(3);
        List<Object> pairs = new ArrayList<>();
        try (ResultSet a = s1.executeQuery("SELECT n FROM generate_series(1, 7) AS t(n)")) {
          while (a.next()) {
            try (ResultSet b = s2.executeQuery("SELECT " + a.getInt(1) + " * 10")) {
              b.next();
              pairs.add(b.getInt(1));
            }
          }
        }
        out.put("interleaved", pairs);
      }
      c.commit();
      c.setAutoCommit(true);
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM digitalocean.compute.droplets ORDER BY id")) {
        out.put("all", longs(ps));
      }
    }
  }

  /** A mutation through executeUpdate, its row count, and the row it made. */
  static void update(int port, String tag, Map<String, Object> out) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(port, ""))) {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO digitalocean.compute.tags (data__name) VALUES (?)")) {
        ps.setString(1, tag);
        out.put("inserted", ps.executeUpdate());
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT name FROM digitalocean.compute.tags WHERE name = ?")) {
        ps.setString(1, tag);
        out.put("found", firstString(ps));
      }
      try (Statement s = c.createStatement()) {
        out.put("deleted", s.executeUpdate("DELETE FROM digitalocean.compute.tags WHERE tag_id = '" + tag.replace("'", "''") + "'"));
      }
    }
  }

  /** Parameters bound with typed setters (timestamp, long, boolean, BigDecimal, setObject), and what DBeaver asks ResultSetMetaData. */
  static void params(int port, Map<String, Object> out) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(port, ""))) {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id FROM digitalocean.compute.droplets WHERE created_at > ? AND memory >= ? AND locked = ? AND vcpus >= ? AND name <> ? ORDER BY id")) {
        ps.setTimestamp(1, Timestamp.from(java.time.Instant.parse("2000-01-01T00:00:00Z")));
        ps.setLong(2, 0L);
        ps.setBoolean(3, false);
        ps.setBigDecimal(4, new java.math.BigDecimal("0.5"));
        ps.setObject(5, "none such", Types.VARCHAR);
        out.put("unlocked", longs(ps));
        ps.setBoolean(3, true);
        out.put("locked", longs(ps));
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT ?::int8 + 1 AS n, ?::text AS t, ?::timestamptz AS ts, ? AS d")) {
        ps.setInt(1, 41);
        ps.setString(2, "x");
        ps.setObject(3, java.time.OffsetDateTime.parse("2024-06-01T12:00:00Z"));
        ps.setDate(4, java.sql.Date.valueOf("2024-06-01"));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          out.put("values", List.of(rs.getLong(1), rs.getString(2), rs.getObject(3, java.time.OffsetDateTime.class).toString(), rs.getString(4)));
        }
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, name, created_at FROM digitalocean.compute.droplets LIMIT 1")) {
        ResultSetMetaData md = rs.getMetaData();
        List<Object> cols = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          cols.add(List.of(md.getColumnName(i), md.isNullable(i), md.isAutoIncrement(i), md.getTableName(i), md.getSchemaName(i), md.getPrecision(i),
              md.getColumnDisplaySize(i), md.isReadOnly(i)));
        }
        out.put("resultSetMetaData", cols);
      }
    }
  }

  /** Several INSERTs in one executeBatch (one Sync for them all), and an INSERT asking for generated keys (RETURNING *). */
  static void batch(int port, String tag, Map<String, Object> out) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(port, ""))) {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO digitalocean.compute.tags (data__name) VALUES (?)")) {
        for (String t : new String[] {tag + "-a", tag + "-b"}) {
          ps.setString(1, t);
          ps.addBatch();
        }
        out.put("batch", Arrays.stream(ps.executeBatch()).boxed().toList());
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO digitalocean.compute.tags (data__name) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, tag + "-c");
        out.put("returningCount", ps.executeUpdate());
        try (ResultSet keys = ps.getGeneratedKeys()) {
          out.put("generated", keys.next() ? keys.getString("name") : null);
        }
      } catch (SQLException e) {
        out.put("generated", "error " + e.getSQLState() + ": " + e.getMessage());
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT name FROM digitalocean.compute.tags WHERE name LIKE ? ORDER BY name")) {
        ps.setString(1, tag + "-%");
        List<Object> names = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) names.add(rs.getString(1));
        }
        out.put("names", names);
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM digitalocean.compute.tags WHERE tag_id = ?")) {
        for (String t : new String[] {tag + "-a", tag + "-b", tag + "-c"}) {
          ps.setString(1, t);
          ps.addBatch();
        }
        out.put("deleted", Arrays.stream(ps.executeBatch()).boxed().toList());
      }
    }
  }

  /**
   * Catalog queries of the kind DBeaver and DataGrip send through pgjdbc to browse a schema (their shape, with oids
   * bound as int8 parameters): each answers its row count, or its error.
   */
  static void tools(int port, Map<String, Object> out) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(port, ""))) {
      long namespace;
      long table;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT n.oid, c.oid FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid WHERE n.nspname = 'databases' AND c.relname = 'backups'")) {
        rs.next();
        namespace = rs.getLong(1);
        table = rs.getLong(2);
      }
      String[][] queries = {
        {"namespaces", "SELECT n.oid,n.*,d.description FROM pg_catalog.pg_namespace n LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=n.oid AND d.objsubid=0 AND d.classoid='pg_namespace'::regclass WHERE n.oid=? ORDER BY nspname"},
        {"tables", "SELECT c.oid,c.*,d.description,pg_catalog.pg_get_expr(c.relpartbound, c.oid) as partition_expr, pg_catalog.pg_get_partkeydef(c.oid) as partition_key FROM pg_catalog.pg_class c LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_class'::regclass WHERE c.relnamespace=? AND c.relkind not in ('i','I','c')"},
        {"attributes", "select c.oid,a.*,pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value,dsc.description,dep.objid FROM pg_catalog.pg_attribute a INNER JOIN pg_catalog.pg_class c ON (a.attrelid=c.oid) LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid=ad.adrelid AND a.attnum = ad.adnum) LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid) LEFT OUTER JOIN pg_depend dep on dep.refobjid = a.attrelid AND dep.deptype = 'i' and dep.refobjsubid = a.attnum and dep.classid = dep.refclassid WHERE NOT a.attisdropped AND c.relkind not in ('i','I','c') AND c.oid=? AND a.attnum > 0 ORDER BY a.attnum"},
        {"constraints", "SELECT c.oid,c.*,t.relname as tabrelname,rt.relnamespace as refnamespace,d.description FROM pg_catalog.pg_constraint c INNER JOIN pg_catalog.pg_class t ON t.oid=c.conrelid LEFT OUTER JOIN pg_catalog.pg_class rt ON rt.oid=c.confrelid LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_constraint'::regclass WHERE c.conrelid=? ORDER BY c.oid"},
        {"indexes", "SELECT i.*,i.indkey as keys,c.relname,c.relnamespace,c.relam,tc.relname as tabrelname,dsc.description,pg_catalog.pg_get_expr(i.indpred, i.indrelid) as pred_expr FROM pg_catalog.pg_index i INNER JOIN pg_catalog.pg_class c ON c.oid=i.indexrelid INNER JOIN pg_catalog.pg_class tc ON tc.oid=i.indrelid LEFT OUTER JOIN pg_catalog.pg_description dsc ON i.indexrelid=dsc.objoid WHERE i.indrelid=? ORDER BY tc.relname, c.relname"},
      };
      long[] binds = {namespace, namespace, table, table, table};
      for (int i = 0; i < queries.length; i++) {
        long bind = binds[i];
        String sql = queries[i][1];
        out.put(queries[i][0], attempt(() -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, bind);
            return count(ps.executeQuery());
          }
        }));
      }
    }
  }

  /** Several statements in one execute (pgjdbc sends them in one batch), and COPY … TO STDOUT through pgjdbc's CopyManager. */
  static void extras(int port, Map<String, Object> out) throws Exception {
    try (Connection c = DriverManager.getConnection(url(port, ""))) {
      List<Object> results = new ArrayList<>();
      try (Statement s = c.createStatement()) {
        boolean isResultSet = s.execute("SELECT 1 AS one; SELECT 'two' AS two; SET statement_timeout = '5min'");
        for (;;) {
          if (isResultSet) {
            try (ResultSet rs = s.getResultSet()) {
              rs.next();
              results.add(rs.getString(1));
            }
          } else if (s.getUpdateCount() == -1) {
            break;
          } else {
            results.add("count " + s.getUpdateCount());
          }
          isResultSet = s.getMoreResults();
        }
      }
      out.put("multi", results);
      java.io.StringWriter csv = new java.io.StringWriter();
      long rows = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI()
          .copyOut("COPY (SELECT id, name FROM digitalocean.compute.droplets ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)", csv);
      out.put("copyRows", rows);
      out.put("copy", csv.toString());
    }
  }

  /** setQueryTimeout: pgjdbc cancels the statement over a second connection (57014); the connection stays usable. */
  static void timeout(int port, Map<String, Object> out) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(port, "")); Statement s = c.createStatement()) {
      s.setQueryTimeout(1);
      long started = System.nanoTime();
      try (ResultSet rs = s.executeQuery("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) SELECT count(*) FROM r")) {
        out.put("state", "no error");
      } catch (SQLException e) {
        out.put("state", e.getSQLState());
      }
      out.put("seconds", (System.nanoTime() - started) / 1_000_000_000L);
      s.setQueryTimeout(0);
      out.put("after", firstString(c, "SELECT 'usable'"));
    }
  }

  /** Statements that fail: the SQLState is reported, and the connection stays usable, in autocommit and in a transaction. */
  static void errors(int port, Map<String, Object> out) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(port, ""))) {
      List<Object> states = new ArrayList<>();
      for (String sql : new String[] {"SELECT nope FROM digitalocean.compute.droplets", "SELECT * FROM digitalocean.compute.nothing", "SELEC 1", "CREATE TEMP TABLE t (a int)"}) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
          rs.next();
          states.add("no error");
        } catch (SQLException e) {
          states.add(e.getSQLState());
        }
      }
      out.put("states", states);
      out.put("after", firstString(c, "SELECT 'still here'"));
      try (PreparedStatement ps = c.prepareStatement("SELECT created_at FROM digitalocean.databases.backups WHERE database_cluster_uuid = ?")) {
        try (ResultSet rs = ps.executeQuery()) {
          out.put("unbound", "no error");
        } catch (SQLException e) {
          out.put("unbound", e.getSQLState());
        }
      }
      c.setAutoCommit(false);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT nope")) {
        out.put("inTransaction", "no error");
      } catch (SQLException e) {
        out.put("inTransaction", e.getSQLState());
      }
      // As in Postgres, the failed transaction refuses everything until rollback.
      try (PreparedStatement ps = c.prepareStatement("SELECT ?")) {
        ps.setString(1, "x");
        ps.executeQuery().close();
        out.put("failedTransaction", "no error");
      } catch (SQLException e) {
        out.put("failedTransaction", e.getSQLState());
      }
      c.rollback();
      out.put("afterRollback", firstString(c, "SELECT 'again'"));
      c.commit();
    }
    // autosave=always: pgjdbc wraps each statement of a transaction in a savepoint and rolls back to it on error.
    try (Connection c = DriverManager.getConnection(url(port, "&autosave=always"))) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT nope")) {
        out.put("autosave", "no error");
      } catch (SQLException e) {
        out.put("autosave", e.getSQLState());
      }
      out.put("afterAutosave", firstString(c, "SELECT 'kept going'"));
      c.commit();
    }
  }

  interface Call {
    Object get() throws SQLException;
  }

  /** A metadata call's answer, or its failure as `error SQLSTATE: message`, so that one failure does not hide the rest. */
  static Object attempt(Call call) {
    try {
      return call.get();
    } catch (SQLException e) {
      return "error " + e.getSQLState() + ": " + e.getMessage();
    }
  }

  static List<Object> columns(ResultSetMetaData md) throws SQLException {
    List<Object> cols = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      cols.add(List.of(md.getColumnLabel(i), md.getColumnTypeName(i), md.getColumnType(i), md.getColumnClassName(i)));
    }
    return cols;
  }

  static String firstString(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  static String firstString(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  static List<Object> longs(PreparedStatement ps) throws SQLException {
    List<Object> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) out.add(rs.getLong(1));
    }
    return out;
  }

  static List<Object> strings(ResultSet rs, String column) throws SQLException {
    List<Object> out = new ArrayList<>();
    try (rs) {
      while (rs.next()) out.add(rs.getString(column));
    }
    return out;
  }

  static int count(ResultSet rs) throws SQLException {
    int n = 0;
    try (rs) {
      while (rs.next()) n++;
    }
    return n;
  }

  /** JSON for maps, lists, strings, numbers, booleans and null: all this program prints. */
  static String json(Object v) {
    if (v == null) return "null";
    if (v instanceof Number || v instanceof Boolean) return v.toString();
    if (v instanceof Map<?, ?> m) {
      StringJoiner j = new StringJoiner(",", "{", "}");
      m.forEach((k, x) -> j.add(json(k.toString()) + ":" + json(x)));
      return j.toString();
    }
    if (v instanceof Collection<?> c) {
      StringJoiner j = new StringJoiner(",", "[", "]");
      c.forEach((x) -> j.add(json(x)));
      return j.toString();
    }
    StringBuilder b = new StringBuilder("\"");
    for (char ch : v.toString().toCharArray()) {
      if (ch == '"' || ch == '\\') b.append('\\').append(ch);
      else if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
      else b.append(ch);
    }
    return b.append('"').toString();
  }
}
