#include "core/smtp/sasl.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace smtpdoctor;
using namespace std::string_literals;

TEST_CASE("base64 matches the RFC 4648 test vectors both ways") {
  const std::pair<std::string_view, std::string_view> vectors[] = {{"", ""},
                                                                   {"f", "Zg=="},
                                                                   {"fo", "Zm8="},
                                                                   {"foo", "Zm9v"},
                                                                   {"foob", "Zm9vYg=="},
                                                                   {"fooba", "Zm9vYmE="},
                                                                   {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    INFO(plain);
    CHECK(base64_encode(plain) == encoded);
    CHECK(base64_decode(encoded) == std::string(plain));
  }
}

TEST_CASE("base64 carries binary bytes, NULs included, without loss") {
  std::string bytes = "\x00\xff\xfe\x01"s;
  CHECK(base64_encode(bytes) == "AP/+AQ==");
  CHECK(base64_decode("AP/+AQ==") == bytes);
  std::string long_input(1000, '\x7f');
  CHECK(base64_encode(long_input).find('\n') == std::string::npos);
  CHECK(base64_decode(base64_encode(long_input)) == long_input);
}

TEST_CASE("malformed base64 from a client or server is refused, not guessed at") {
  for (std::string_view bad :
       {"Zg=", "Zg", "Z", "Z===", "====", "=Zg=", "Z=g=", "Zg==Zg==", "Zm9v\r\n", " Zm9v", "Zm9v ",
        "Zm 9v", "Zm$v", "Zm9v*AAA", "Zm-v", "Zm_v"}) {
    INFO(bad);
    CHECK_FALSE(base64_decode(bad).has_value());
  }
  CHECK_FALSE(base64_decode("Zm\0v"s).has_value());
}

TEST_CASE("AUTH PLAIN message is authzid NUL user NUL password") {
  std::string message = sasl_plain_message("tim", "tanstaaftanstaaf");
  CHECK(message == "\0tim\0tanstaaftanstaaf"s);
  CHECK(base64_encode(message) == "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
  CHECK(base64_encode(sasl_plain_message("tim", "tanstaaftanstaaf", "admin")) ==
        "YWRtaW4AdGltAHRhbnN0YWFmdGFuc3RhYWY=");
}

TEST_CASE("the server reads AUTH PLAIN credentials back") {
  auto creds = parse_sasl_plain(*base64_decode("YWRtaW4AdGltAHRhbnN0YWFmdGFuc3RhYWY="));
  REQUIRE(creds.has_value());
  CHECK(creds->authzid == "admin");
  CHECK(creds->user == "tim");
  CHECK(creds->password == "tanstaaftanstaaf");

  auto no_authzid = parse_sasl_plain("\0bob\0secret"s);
  REQUIRE(no_authzid.has_value());
  CHECK(no_authzid->authzid.empty());
  CHECK(no_authzid->user == "bob");
}

TEST_CASE("AUTH PLAIN without both NULs, or with empty user or password, is refused") {
  CHECK_FALSE(parse_sasl_plain("bobsecret").has_value());
  CHECK_FALSE(parse_sasl_plain("\0bobsecret"s).has_value());
  CHECK_FALSE(parse_sasl_plain("").has_value());
  CHECK_FALSE(parse_sasl_plain("\0\0secret"s).has_value());
  CHECK_FALSE(parse_sasl_plain("\0bob\0"s).has_value());
  CHECK_FALSE(parse_sasl_plain("\0bob\0sec\0ret"s).has_value());
}

TEST_CASE("CRAM-MD5 answers the RFC 2195 example challenge exactly as the RFC does") {
  auto challenge = base64_decode("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
  REQUIRE(challenge.has_value());
  CHECK(*challenge == "<1896.697170952@postoffice.reston.mci.net>");
  std::string response = cram_md5_response("tim", "tanstaaftanstaaf", *challenge);
  CHECK(response == "tim b913a602c7eda7a495b4e6e7334d3890");
  CHECK(base64_encode(response) == "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
  // A wrong password gives a different digest.
  CHECK(cram_md5_response("tim", "tanstaaftanstaafX", *challenge) != response);
}

TEST_CASE("the test server's CRAM-MD5 challenges are fresh and well-formed") {
  std::string a = cram_md5_challenge("mx.test");
  std::string b = cram_md5_challenge("mx.test");
  CHECK(a != b);
  CHECK(a.front() == '<');
  CHECK(a.ends_with("@mx.test>"));
  CHECK(a.find('.') < a.find('@'));
}

TEST_CASE("secrets are compared in full") {
  CHECK(secret_equals("tim b913a602c7eda7a495b4e6e7334d3890",
                      "tim b913a602c7eda7a495b4e6e7334d3890"));
  CHECK_FALSE(secret_equals("abc", "abd"));
  CHECK_FALSE(secret_equals("abc", "abcd"));
  CHECK(secret_equals("", ""));
}

TEST_CASE("XOAUTH2 matches Google's documented example") {
  std::string message =
      xoauth2_message("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
  CHECK(message ==
        "user=someuser@example.com\x01"
        "auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01");
  CHECK(base64_encode(message) ==
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSF"
        "JoZG1semRHRXVZMjl0Q2cBAQ==");
}

TEST_CASE("LOGIN prompts are the ones servers send on the wire") {
  CHECK(base64_encode(kLoginUserPrompt) == "VXNlcm5hbWU6");
  CHECK(base64_encode(kLoginPasswordPrompt) == "UGFzc3dvcmQ6");
}

TEST_CASE("OAUTHBEARER's initial response has the RFC 7628 layout, with a= escaped") {
  // RFC 7628 §4.1's example, with the authorization identity this client always sends.
  const std::string message = oauthbearer_message("user@example.com", "server.example.com", 143,
                                                  "vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==");
  CHECK(message ==
        "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
        "auth=Bearer vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==\x01\x01");
  CHECK(oauthbearer_message("a,b=c", "h", 587, "t") ==
        "n,a=a=2Cb=3Dc,\x01host=h\x01port=587\x01"
        "auth=Bearer t\x01\x01");
  CHECK(base64_encode(kOauthbearerDummyResponse) == "AQ==");
}

TEST_CASE("the server reads back user and token from XOAUTH2 and OAUTHBEARER") {
  auto bearer = parse_oauthbearer(oauthbearer_message("a,b=c", "h", 587, "tok"));
  REQUIRE(bearer);
  CHECK(bearer->user == "a,b=c");
  CHECK(bearer->token == "tok");
  auto xoauth = parse_xoauth2(xoauth2_message("alice", "tok2"));
  REQUIRE(xoauth);
  CHECK(xoauth->user == "alice");
  CHECK(xoauth->token == "tok2");
  CHECK_FALSE(
      parse_oauthbearer("n,a=x,\x01"
                        "auth=Bearer t"));       // no final ^A^A
  CHECK_FALSE(parse_xoauth2("user=x\x01\x01"));  // no token
}

TEST_CASE("a refused token's JSON error is decoded: status and scope") {
  // RFC 7628 §4.3's failure challenge.
  auto decoded = base64_decode(
      "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3Vy"
      "YXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=");
  REQUIRE(decoded);
  auto error = parse_oauth_error(*decoded);
  REQUIRE(error);
  CHECK(error->status == "invalid_token");
  CHECK(error->scope == "example_scope");
  auto google = parse_oauth_error(
      R"({"status":"401","schemes":"bearer","scope":"https://mail.google.com/"})");
  REQUIRE(google);
  CHECK(describe_oauth_error(*google) ==
        "the token was refused: status 401, scope https://mail.google.com/ required");
  CHECK(parse_oauth_error(oauth_error_json("s"))->scope == "s");
  CHECK_FALSE(parse_oauth_error("not json"));
  CHECK_FALSE(parse_oauth_error(R"({"scope":"x"})"));  // no status
  CHECK_FALSE(parse_oauth_error(R"({"status":"401")"));
}
