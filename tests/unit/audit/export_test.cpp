// CSV and JSON Lines rendering of exported audit events.
#include "audit/export.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace gatehouse::audit {
namespace {

TEST(CsvField, QuotesOnlyWhenNeededAndDoublesQuotes) {
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(CsvField("cr\rhere"), "\"cr\rhere\"");
  EXPECT_EQ(CsvField(" padded "), "\" padded \"");
  EXPECT_EQ(CsvField("2001:db8::1"), "2001:db8::1");
}

TEST(CsvField, NeutralisesSpreadsheetFormulas) {
  EXPECT_EQ(CsvField("=SUM(A1:A9)"), "'=SUM(A1:A9)");
  EXPECT_EQ(CsvField("+1"), "'+1");
  EXPECT_EQ(CsvField("-1"), "'-1");
  EXPECT_EQ(CsvField("@cmd"), "'@cmd");
  EXPECT_EQ(CsvField("=HYPERLINK(\"x\",\"y\")"), "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
}

// Splits one CSV record (RFC 4180) into fields.
std::vector<std::string> ParseRecord(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c == '\r' && i + 2 == line.size() && line[i + 1] == '\n') {
      break;
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

TEST(CsvRow, HasOneFieldPerHeaderColumnAndRoundTrips) {
  StoredEvent e;
  e.id = "id-1";
  e.event_type = "custom_action";
  e.description = "multi\nline, \"quoted\"";
  e.metadata = R"({"k":"v,w"})";
  e.user_id = "u1";
  e.created_at = 1706745599999;
  const auto header = ParseRecord(CsvHeader());
  const std::string row = CsvRow(e);
  ASSERT_TRUE(row.ends_with("\r\n"));
  const auto fields = ParseRecord(row);
  ASSERT_EQ(fields.size(), header.size());
  auto at = [&](const std::string& column) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == column) return fields[i];
    }
    return std::string("<missing column>");
  };
  EXPECT_EQ(at("id"), "id-1");
  EXPECT_EQ(at("createdAt"), "2024-01-31T23:59:59.999Z");
  EXPECT_EQ(at("description"), "multi\nline, \"quoted\"");
  EXPECT_EQ(at("metadata"), R"({"k":"v,w"})");
  EXPECT_EQ(at("userId"), "u1");
  EXPECT_EQ(at("actorId"), "");
  EXPECT_EQ(at("isReported"), "false");
}

TEST(JsonLine, IsOneAuditEventObjectPerLine) {
  StoredEvent e;
  e.id = "id-1";
  e.event_type = "login";
  e.description = "two\nlines";
  const std::string line = JsonLine(e);
  ASSERT_TRUE(line.ends_with("\n"));
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // the newline inside is escaped
  auto value = boost::json::parse(line);
  EXPECT_EQ(value.at("id"), "id-1");
  EXPECT_EQ(value.at("eventType"), "login");
}

}  // namespace
}  // namespace gatehouse::audit
