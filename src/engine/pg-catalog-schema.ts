// The pg_catalog and information_schema tables doql emulates: the columns clients read (psql's \d family,
// BI tools' metadata queries), each with its Postgres type. Tables doql has nothing for stay empty, so that
// queries joining them still run and find no rows.
import { pgTypeByName, type PgType } from './pg-catalog-types.js';

export interface EmulatedColumn {
  name: string;
  type: PgType;
}

export interface EmulatedTable {
  schema: 'pg_catalog' | 'information_schema';
  name: string;
  oid: number;
  /** 'r' table, 'v' view (as Postgres has them: pg_roles and the information_schema are views). */
  kind: 'r' | 'v';
  columns: EmulatedColumn[];
  /** Rows that belong to the session asking (its cursors), not to the shared database: see pg-catalog-session.ts. */
  perSession?: true;
}

/** `name:type name:type …` → columns; a type is a pg_type name or `name[]`. */
function columns(spec: string): EmulatedColumn[] {
  return spec
    .trim()
    .split(/\s+/)
    .map((entry) => {
      const [name, typeName] = entry.split(':');
      const type = pgTypeByName(typeName);
      if (!type) throw new Error(`pg-catalog-schema: unknown type ${typeName} for ${name}`); // a bug in the specs below
      return { name, type };
    });
}

function pg(name: string, oid: number, spec: string, kind: 'r' | 'v' = 'r'): EmulatedTable {
  return { schema: 'pg_catalog', name, oid, kind, columns: columns(spec) };
}

function info(name: string, oid: number, spec: string): EmulatedTable {
  return { schema: 'information_schema', name, oid, kind: 'v', columns: columns(spec) };
}

const OID = 'oid:oid';

export const EMULATED_TABLES: readonly EmulatedTable[] = [
  pg('pg_namespace', 2615, `${OID} nspname:name nspowner:oid nspacl:aclitem[]`),
  pg(
    'pg_class',
    1259,
    `${OID} relname:name relnamespace:oid reltype:oid reloftype:oid relowner:oid relam:oid relfilenode:oid
     reltablespace:oid relpages:int4 reltuples:float4 relallvisible:int4 reltoastrelid:oid relhasindex:bool
     relisshared:bool relpersistence:char relkind:char relnatts:int2 relchecks:int2 relhasrules:bool
     relhastriggers:bool relhassubclass:bool relrowsecurity:bool relforcerowsecurity:bool relispopulated:bool
     relreplident:char relispartition:bool relrewrite:oid relfrozenxid:xid relminmxid:xid relacl:aclitem[]
     reloptions:text[] relpartbound:pg_node_tree`,
  ),
  pg(
    'pg_attribute',
    1249,
    `attrelid:oid attname:name atttypid:oid attstattarget:int4 attlen:int2 attnum:int2 attndims:int4
     attcacheoff:int4 atttypmod:int4 attbyval:bool attalign:char attstorage:char attcompression:char
     attnotnull:bool atthasdef:bool atthasmissing:bool attidentity:char attgenerated:char attisdropped:bool
     attislocal:bool attinhcount:int4 attcollation:oid attacl:aclitem[] attoptions:text[] attfdwoptions:text[]`,
  ),
  pg(
    'pg_type',
    1247,
    `${OID} typname:name typnamespace:oid typowner:oid typlen:int2 typbyval:bool typtype:char typcategory:char
     typispreferred:bool typisdefined:bool typdelim:char typrelid:oid typsubscript:regproc typelem:oid
     typarray:oid typinput:regproc typoutput:regproc typreceive:regproc typsend:regproc typmodin:regproc
     typmodout:regproc typanalyze:regproc typalign:char typstorage:char typnotnull:bool typbasetype:oid
     typtypmod:int4 typndims:int4 typcollation:oid typdefaultbin:pg_node_tree typdefault:text typacl:aclitem[]`,
  ),
  pg(
    'pg_database',
    1262,
    `${OID} datname:name datdba:oid encoding:int4 datlocprovider:char datistemplate:bool datallowconn:bool
     datconnlimit:int4 datfrozenxid:xid datminmxid:xid dattablespace:oid datcollate:text datctype:text
     daticulocale:text datcollversion:text datacl:aclitem[]`,
  ),
  pg('pg_description', 2609, 'objoid:oid classoid:oid objsubid:int4 description:text'),
  pg('pg_shdescription', 2396, 'objoid:oid classoid:oid description:text'),
  // No object depends on another (no sequences, identities or views): DBeaver and DataGrip join it for those.
  pg('pg_depend', 2608, 'classid:oid objid:oid objsubid:int4 refclassid:oid refobjid:oid refobjsubid:int4 deptype:char'),
  pg('pg_am', 2601, `${OID} amname:name amhandler:regproc amtype:char`),
  pg('pg_tablespace', 1213, `${OID} spcname:name spcowner:oid spcacl:aclitem[] spcoptions:text[]`),
  pg(
    'pg_index',
    2610,
    `indexrelid:oid indrelid:oid indnatts:int2 indnkeyatts:int2 indisunique:bool indnullsnotdistinct:bool
     indisprimary:bool indisexclusion:bool indimmediate:bool indisclustered:bool indisvalid:bool
     indcheckxmin:bool indisready:bool indislive:bool indisreplident:bool indkey:int2vector
     indcollation:oidvector indclass:oidvector indoption:int2vector indexprs:pg_node_tree indpred:pg_node_tree`,
  ),
  pg('pg_inherits', 2611, 'inhrelid:oid inhparent:oid inhseqno:int4 inhdetachpending:bool'),
  pg('pg_attrdef', 2604, `${OID} adrelid:oid adnum:int2 adbin:pg_node_tree`),
  pg(
    'pg_collation',
    3456,
    `${OID} collname:name collnamespace:oid collowner:oid collprovider:char collisdeterministic:bool
     collencoding:int4 collcollate:text collctype:text colliculocale:text collversion:text`,
  ),
  pg(
    'pg_constraint',
    2606,
    `${OID} conname:name connamespace:oid contype:char condeferrable:bool condeferred:bool convalidated:bool
     conrelid:oid contypid:oid conindid:oid conparentid:oid confrelid:oid confupdtype:char confdeltype:char
     confmatchtype:char conislocal:bool coninhcount:int4 connoinherit:bool conkey:int2[] confkey:int2[]
     conpfeqop:oid[] conppeqop:oid[] conffeqop:oid[] confdelsetcols:int2[] conexclop:oid[] conbin:pg_node_tree`,
  ),
  pg(
    'pg_policy',
    3256,
    `${OID} polname:name polrelid:oid polcmd:char polpermissive:bool polroles:oid[] polqual:pg_node_tree
     polwithcheck:pg_node_tree`,
  ),
  pg(
    'pg_statistic_ext',
    3381,
    `${OID} stxrelid:oid stxname:name stxnamespace:oid stxowner:oid stxstattarget:int4 stxkeys:int2vector
     stxkind:char[] stxexprs:pg_node_tree`,
  ),
  pg(
    'pg_publication',
    6104,
    `${OID} pubname:name pubowner:oid puballtables:bool pubinsert:bool pubupdate:bool pubdelete:bool
     pubtruncate:bool pubviaroot:bool`,
  ),
  pg('pg_publication_rel', 6106, `${OID} prpubid:oid prrelid:oid prqual:pg_node_tree prattrs:int2vector`),
  pg('pg_publication_namespace', 6237, `${OID} pnpubid:oid pnnspid:oid`),
  pg(
    'pg_rewrite',
    2618,
    `${OID} rulename:name ev_class:oid ev_type:char ev_enabled:char is_instead:bool ev_qual:pg_node_tree
     ev_action:pg_node_tree`,
  ),
  pg(
    'pg_trigger',
    2620,
    `${OID} tgrelid:oid tgparentid:oid tgname:name tgfoid:oid tgtype:int2 tgenabled:char tgisinternal:bool
     tgconstrrelid:oid tgconstrindid:oid tgconstraint:oid tgdeferrable:bool tginitdeferred:bool tgnargs:int2
     tgattr:int2vector tgargs:bytea tgqual:pg_node_tree tgoldtable:name tgnewtable:name`,
  ),
  pg('pg_auth_members', 1261, `${OID} roleid:oid member:oid grantor:oid admin_option:bool`),
  pg(
    'pg_extension',
    3079,
    `${OID} extname:name extowner:oid extnamespace:oid extrelocatable:bool extversion:text extconfig:oid[]
     extcondition:text[]`,
  ),
  pg(
    'pg_proc',
    1255,
    `${OID} proname:name pronamespace:oid proowner:oid prolang:oid procost:float4 prorows:float4 provariadic:oid
     prosupport:regproc prokind:char prosecdef:bool proleakproof:bool proisstrict:bool proretset:bool
     provolatile:char proparallel:char pronargs:int2 pronargdefaults:int2 prorettype:oid proargtypes:oidvector
     proallargtypes:oid[] proargmodes:char[] proargnames:text[] proargdefaults:pg_node_tree protrftypes:oid[]
     prosrc:text probin:text prosqlbody:pg_node_tree proconfig:text[] proacl:aclitem[]`,
  ),
  pg(
    'pg_opclass',
    2616,
    `${OID} opcmethod:oid opcname:name opcnamespace:oid opcowner:oid opcfamily:oid opcintype:oid opcdefault:bool
     opckeytype:oid`,
  ),
  pg('pg_opfamily', 2753, `${OID} opfmethod:oid opfname:name opfnamespace:oid opfowner:oid`),
  pg(
    'pg_partitioned_table',
    3350,
    `partrelid:oid partstrat:char partnatts:int2 partdefid:oid partattrs:int2vector partclass:oidvector
     partcollation:oidvector partexprs:pg_node_tree`,
  ),
  pg('pg_enum', 3501, `${OID} enumtypid:oid enumsortorder:float4 enumlabel:name`),
  pg('pg_sequence', 2224, 'seqrelid:oid seqtypid:oid seqstart:int8 seqincrement:int8 seqmax:int8 seqmin:int8 seqcache:int8 seqcycle:bool'),
  pg('pg_foreign_table', 3118, 'ftrelid:oid ftserver:oid ftoptions:text[]'),
  pg(
    'pg_language',
    2612,
    `${OID} lanname:name lanowner:oid lanispl:bool lanpltrusted:bool lanplcallfoid:oid laninline:oid
     lanvalidator:oid lanacl:aclitem[]`,
  ),
  // Empty: doql has none of these, but psql's \\dc, \\dC, \\des, \\dF, \\do, \\dy, \\drds, \\ddp, \\lo_list read them.
  pg('pg_db_role_setting', 2964, 'setdatabase:oid setrole:oid setconfig:text[]'),
  pg('pg_conversion', 2607, `${OID} conname:name connamespace:oid conowner:oid conforencoding:int4 contoencoding:int4 conproc:regproc condefault:bool`),
  pg('pg_cast', 2605, `${OID} castsource:oid casttarget:oid castfunc:oid castcontext:char castmethod:char`),
  pg('pg_foreign_data_wrapper', 2328, `${OID} fdwname:name fdwowner:oid fdwhandler:oid fdwvalidator:oid fdwacl:aclitem[] fdwoptions:text[]`),
  pg('pg_foreign_server', 1417, `${OID} srvname:name srvowner:oid srvfdw:oid srvtype:text srvversion:text srvacl:aclitem[] srvoptions:text[]`),
  pg('pg_user_mappings', 12007, 'umid:oid srvid:oid srvname:name umuser:oid usename:name umoptions:text[]', 'v'),
  pg('pg_ts_config', 3602, `${OID} cfgname:name cfgnamespace:oid cfgowner:oid cfgparser:oid`),
  pg('pg_ts_parser', 3601, `${OID} prsname:name prsnamespace:oid prsstart:regproc prstoken:regproc prsend:regproc prsheadline:regproc prslextype:regproc`),
  pg('pg_ts_dict', 3600, `${OID} dictname:name dictnamespace:oid dictowner:oid dicttemplate:oid dictinitoption:text`),
  pg('pg_ts_template', 3764, `${OID} tmplname:name tmplnamespace:oid tmplinit:regproc tmpllexize:regproc`),
  pg(
    'pg_operator',
    2617,
    `${OID} oprname:name oprnamespace:oid oprowner:oid oprkind:char oprcanmerge:bool oprcanhash:bool oprleft:oid
     oprright:oid oprresult:oid oprcom:oid oprnegate:oid oprcode:regproc oprrest:regproc oprjoin:regproc`,
  ),
  pg('pg_event_trigger', 3466, `${OID} evtname:name evtevent:name evtowner:oid evtfoid:oid evtenabled:char evttags:text[]`),
  pg('pg_largeobject_metadata', 2995, `${OID} lomowner:oid lomacl:aclitem[]`),
  pg(
    'pg_subscription',
    6100,
    `${OID} subdbid:oid subskiplsn:text subname:name subowner:oid subenabled:bool subbinary:bool substream:char
     subtwophasestate:char subdisableonerr:bool subconninfo:text subslotname:name subsynccommit:text subpublications:text[]`,
  ),
  pg('pg_default_acl', 826, `${OID} defaclrole:oid defaclnamespace:oid defaclobjtype:char defaclacl:aclitem[]`),
  pg(
    'pg_amop',
    2602,
    `${OID} amopfamily:oid amoplefttype:oid amoprighttype:oid amopstrategy:int2 amoppurpose:char amopopr:oid
     amopmethod:oid amopsortfamily:oid`,
  ),
  pg('pg_amproc', 2603, `${OID} amprocfamily:oid amproclefttype:oid amprocrighttype:oid amprocnum:int2 amproc:regproc`),
  pg(
    'pg_roles',
    12001,
    `rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool rolcreatedb:bool rolcanlogin:bool
     rolreplication:bool rolconnlimit:int4 rolpassword:text rolvaliduntil:timestamptz rolbypassrls:bool
     rolconfig:text[] ${OID}`,
    'v',
  ),
  pg(
    'pg_settings',
    12002,
    `name:text setting:text unit:text category:text short_desc:text extra_desc:text context:text vartype:text
     source:text min_val:text max_val:text enumvals:text[] boot_val:text reset_val:text sourcefile:text
     sourceline:int4 pending_restart:bool`,
    'v',
  ),
  pg(
    'pg_tables',
    12003,
    `schemaname:name tablename:name tableowner:name tablespace:name hasindexes:bool hasrules:bool
     hastriggers:bool rowsecurity:bool`,
    'v',
  ),
  pg('pg_views', 12004, 'schemaname:name viewname:name viewowner:name definition:text', 'v'),
  pg('pg_matviews', 12005, 'schemaname:name matviewname:name matviewowner:name tablespace:name hasindexes:bool ispopulated:bool definition:text', 'v'),
  pg(
    'pg_stat_user_tables',
    12008,
    'relid:oid schemaname:name relname:name seq_scan:int8 idx_scan:int8 n_live_tup:int8 n_dead_tup:int8 last_analyze:timestamptz',
    'v',
  ),
  pg('pg_user', 12009, 'usename:name usesysid:oid usecreatedb:bool usesuper:bool userepl:bool usebypassrls:bool passwd:text valuntil:timestamptz useconfig:text[]', 'v'),
  { ...pg('pg_cursors', 12010, 'name:text statement:text is_holdable:bool is_binary:bool is_scrollable:bool creation_time:timestamptz', 'v'), perSession: true },
  {
    ...pg(
      'pg_stat_activity',
      12011,
      `datid:oid datname:name pid:int4 leader_pid:int4 usesysid:oid usename:name application_name:text client_addr:text
       client_hostname:text client_port:int4 backend_start:timestamptz xact_start:timestamptz query_start:timestamptz
       state_change:timestamptz wait_event_type:text wait_event:text state:text backend_xid:xid backend_xmin:xid
       query_id:int8 query:text backend_type:text`,
      'v',
    ),
    perSession: true,
  },
  pg('pg_indexes', 12006, 'schemaname:name tablename:name indexname:name tablespace:name indexdef:text', 'v'),
  info(
    'schemata',
    13100,
    `catalog_name:name schema_name:name schema_owner:name default_character_set_catalog:name
     default_character_set_schema:name default_character_set_name:name sql_path:text`,
  ),
  info(
    'tables',
    13101,
    `table_catalog:name table_schema:name table_name:name table_type:text self_referencing_column_name:name
     reference_generation:text user_defined_type_catalog:name user_defined_type_schema:name
     user_defined_type_name:name is_insertable_into:text is_typed:text commit_action:text`,
  ),
  info(
    'columns',
    13102,
    `table_catalog:name table_schema:name table_name:name column_name:name ordinal_position:int4
     column_default:text is_nullable:text data_type:text character_maximum_length:int4
     character_octet_length:int4 numeric_precision:int4 numeric_precision_radix:int4 numeric_scale:int4
     datetime_precision:int4 interval_type:text interval_precision:int4 character_set_catalog:name
     character_set_schema:name character_set_name:name collation_catalog:name collation_schema:name
     collation_name:name domain_catalog:name domain_schema:name domain_name:name udt_catalog:name
     udt_schema:name udt_name:name scope_catalog:name scope_schema:name scope_name:name
     maximum_cardinality:int4 dtd_identifier:name is_self_referencing:text is_identity:text
     identity_generation:text identity_start:text identity_increment:text identity_maximum:text
     identity_minimum:text identity_cycle:text is_generated:text generation_expression:text is_updatable:text`,
  ),
  info(
    'views',
    13103,
    `table_catalog:name table_schema:name table_name:name view_definition:text check_option:text
     is_updatable:text is_insertable_into:text is_trigger_updatable:text is_trigger_deletable:text
     is_trigger_insertable_into:text`,
  ),
  info(
    'table_constraints',
    13104,
    `constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name table_schema:name
     table_name:name constraint_type:text is_deferrable:text initially_deferred:text enforced:text
     nulls_distinct:text`,
  ),
  info(
    'key_column_usage',
    13105,
    `constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name table_schema:name
     table_name:name column_name:name ordinal_position:int4 position_in_unique_constraint:int4`,
  ),
];

/** SQLite's declared type for a column: what better-sqlite3 reports back, so results get the Postgres type. */
export function sqliteDeclaredType(type: PgType): string {
  return type.sqlType;
}
