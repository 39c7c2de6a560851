using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialService.Data.Migrations
{
    /// <inheritdoc />
    public partial class TenantCountsAndUnloggedBuckets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "rate_limit_buckets")
                .Annotation("Npgsql:UnloggedTable", true);

            migrationBuilder.CreateTable(
                name: "tenant_credential_counts",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    credentials = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tenant_credential_counts", x => x.tenant_id);
                });

            // The per-tenant maximum, enforced where credentials are inserted, instead of counting up to
            // Credentials:MaxPerTenant rows per create. Statement-level triggers with transition tables keep each
            // tenant's count exact for every writer (EF, ExecuteDelete, COPY, a bulk delete) at one upsert per
            // statement; the insert's trigger raises CS409 when a tenant passes the connection's
            // credential_service.max_credentials_per_tenant (unset: no maximum, as for a bulk COPY). The upsert locks
            // the tenant's row until commit, so creates of one tenant are counted one after the other. The credentials
            // table is locked against writes while the existing rows are counted, so none is missed.
            migrationBuilder.Sql("""
                LOCK TABLE credentials IN SHARE ROW EXCLUSIVE MODE;
                INSERT INTO tenant_credential_counts (tenant_id, credentials)
                    SELECT tenant_id, count(*) FROM credentials GROUP BY tenant_id;

                CREATE FUNCTION credentials_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    maximum int := nullif(current_setting('credential_service.max_credentials_per_tenant', true), '')::int;
                    over_tenant text;
                BEGIN
                    WITH counted AS (
                        INSERT INTO tenant_credential_counts AS c (tenant_id, credentials)
                            SELECT tenant_id, count(*) FROM inserted GROUP BY tenant_id
                        ON CONFLICT (tenant_id) DO UPDATE SET credentials = c.credentials + EXCLUDED.credentials
                        RETURNING c.tenant_id, c.credentials)
                    SELECT tenant_id INTO over_tenant FROM counted WHERE credentials > maximum LIMIT 1;
                    IF over_tenant IS NOT NULL THEN
                        RAISE EXCEPTION 'a tenant is over its maximum of % credentials', maximum USING ERRCODE = 'CS409';
                    END IF;
                    RETURN NULL;
                END
                $$;
                CREATE TRIGGER credentials_count_inserted AFTER INSERT ON credentials
                    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION credentials_count_inserted();

                CREATE FUNCTION credentials_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE tenant_credential_counts AS c SET credentials = c.credentials - d.n
                      FROM (SELECT tenant_id, count(*) AS n FROM deleted GROUP BY tenant_id) AS d
                     WHERE c.tenant_id = d.tenant_id;
                    RETURN NULL;
                END
                $$;
                CREATE TRIGGER credentials_count_deleted AFTER DELETE ON credentials
                    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION credentials_count_deleted();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER credentials_count_deleted ON credentials;
                DROP FUNCTION credentials_count_deleted();
                DROP TRIGGER credentials_count_inserted ON credentials;
                DROP FUNCTION credentials_count_inserted();
                """);

            migrationBuilder.DropTable(
                name: "tenant_credential_counts");

            migrationBuilder.AlterTable(
                name: "rate_limit_buckets")
                .OldAnnotation("Npgsql:UnloggedTable", true);
        }
    }
}
