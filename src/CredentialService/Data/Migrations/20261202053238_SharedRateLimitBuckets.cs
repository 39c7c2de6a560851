using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialService.Data.Migrations
{
    /// <inheritdoc />
    public partial class SharedRateLimitBuckets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "rate_limit_buckets",
                columns: table => new
                {
                    bucket_key = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    tat = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    paused_until = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_rate_limit_buckets", x => x.bucket_key);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "rate_limit_buckets");
        }
    }
}
