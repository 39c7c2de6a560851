using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialService.Data.Migrations
{
    /// <inheritdoc />
    public partial class CredentialUsagesAndVerification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "next_verification_at",
                table: "credentials",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "usage_count",
                table: "credentials",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "last_outcome",
                table: "credentials",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true,
                computedColumnSql: "(last_test ->> 'outcome')",
                stored: true);

            // Credentials that exist before scheduled verification: spread their first scheduled test over the default
            // interval (24 h), rather than testing them all at once when the service starts.
            migrationBuilder.Sql("UPDATE credentials SET next_verification_at = now() + random() * interval '24 hours'");

            migrationBuilder.CreateTable(
                name: "credential_usages",
                columns: table => new
                {
                    credential_id = table.Column<Guid>(type: "uuid", nullable: false),
                    usage_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_credential_usages", x => new { x.credential_id, x.usage_id });
                    table.ForeignKey(
                        name: "fk_credential_usages_credentials_credential_id",
                        column: x => x.credential_id,
                        principalTable: "credentials",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_credentials_next_verification_at",
                table: "credentials",
                column: "next_verification_at");

            migrationBuilder.CreateIndex(
                name: "ix_credentials_tenant_id_id_in_use",
                table: "credentials",
                columns: new[] { "tenant_id", "id" },
                descending: new[] { false, true },
                filter: "usage_count > 0");

            migrationBuilder.CreateIndex(
                name: "ix_credentials_tenant_id_id_not_in_use",
                table: "credentials",
                columns: new[] { "tenant_id", "id" },
                descending: new[] { false, true },
                filter: "usage_count = 0");

            migrationBuilder.CreateIndex(
                name: "ix_credentials_tenant_id_last_outcome_id",
                table: "credentials",
                columns: new[] { "tenant_id", "last_outcome", "id" },
                descending: new[] { false, false, true });

            migrationBuilder.CreateIndex(
                name: "ix_credentials_unscheduled",
                table: "credentials",
                column: "created_at",
                filter: "next_verification_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "credential_usages");

            migrationBuilder.DropIndex(
                name: "ix_credentials_next_verification_at",
                table: "credentials");

            migrationBuilder.DropIndex(
                name: "ix_credentials_tenant_id_id_in_use",
                table: "credentials");

            migrationBuilder.DropIndex(
                name: "ix_credentials_tenant_id_id_not_in_use",
                table: "credentials");

            migrationBuilder.DropIndex(
                name: "ix_credentials_tenant_id_last_outcome_id",
                table: "credentials");

            migrationBuilder.DropIndex(
                name: "ix_credentials_unscheduled",
                table: "credentials");

            migrationBuilder.DropColumn(
                name: "last_outcome",
                table: "credentials");

            migrationBuilder.DropColumn(
                name: "next_verification_at",
                table: "credentials");

            migrationBuilder.DropColumn(
                name: "usage_count",
                table: "credentials");
        }
    }
}
