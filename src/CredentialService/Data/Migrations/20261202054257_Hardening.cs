using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialService.Data.Migrations
{
    /// <inheritdoc />
    public partial class Hardening : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The ETag was the row's xmin, a database-wide counter that let one tenant watch everyone's write volume.
            // Each row now counts its own writes: 1 at creation, + 1 on every UPDATE, by a trigger so no write path
            // (EF, ExecuteUpdate, raw SQL) can forget it. Existing rows start at 1; ETags issued before are stale (412).
            migrationBuilder.AddColumn<long>(
                name: "version",
                table: "credentials",
                type: "bigint",
                nullable: false,
                defaultValue: 1L);
            migrationBuilder.Sql("""
                CREATE FUNCTION credentials_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.version := OLD.version + 1;
                    RETURN NEW;
                END
                $$;
                CREATE TRIGGER credentials_bump_version BEFORE UPDATE ON credentials
                    FOR EACH ROW EXECUTE FUNCTION credentials_bump_version();
                """);

            // q: case-insensitive substring of name or description, within one tenant. A GIN index over the tenant
            // (btree_gin) and the trigram set (pg_trgm) of one expression joining name and description with a control
            // character that q may not contain. The expression must stay identical to the one the list query uses.
            // Both extensions are "trusted": a database owner may create them without being a superuser.
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS btree_gin;");
            migrationBuilder.Sql("""
                CREATE INDEX ix_credentials_tenant_search ON credentials
                    USING gin (tenant_id, ((name::text || E'\u0001') || COALESCE(description, ''::character varying)::text) gin_trgm_ops);
                """);

            migrationBuilder.CreateIndex(
                name: "ix_credential_events_at",
                table: "credential_events",
                column: "at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_credential_events_at",
                table: "credential_events");
            migrationBuilder.Sql("DROP INDEX ix_credentials_tenant_search;");
            migrationBuilder.Sql("DROP TRIGGER credentials_bump_version ON credentials; DROP FUNCTION credentials_bump_version();");
            migrationBuilder.DropColumn(
                name: "version",
                table: "credentials");
        }
    }
}
