// spm_goldens.cc: the SentencePiece golden generator. It runs Google's
// libsentencepiece (the library spm_encode and spm_decode are built on; Debian
// 12 ships 0.1.97) through its C++ API, so any string can be encoded, including
// ones with newlines, which spm_encode's line reader cannot take.
//
//   spm_goldens MODEL CORPUS.jsonl > OUT.jsonl
//   spm_goldens MODEL CORPUS.hex > OUT.jsonl
//
// CORPUS.jsonl holds one JSON string per line; CORPUS.hex one input per line as
// hex digits (for bytes that are not valid UTF-8, which JSON cannot carry). For
// each line it prints one JSON object, in order:
//
//   {"ids":[...],"spans":[gap,len,gap,len,...],"decode":"..."}
//
//   ids      SentencePieceProcessor::Encode(text, &SentencePieceText): the ids
//   spans    the `begin`/`end` fields (byte offsets into the original text) of
//            each piece, two numbers per piece: gap = begin minus the previous
//            piece's end (0 before the first piece counts as that end) and
//            len = end - begin. Absolute offsets barely compress; these are
//            mostly 0 and small, which keeps the goldens a third the size.
//            The pieces' strings are not written: the tests compare ids.
//   decode   Decode(ids, &string), i.e. DecodeIds(ids)
//
// or {"error":"..."} when Encode or Decode returns a non-OK status. Output
// strings are escaped like tests/conformance/jsonl.mjs writes the corpus
// (U+0000-001F, U+007F-009F, U+2028, U+2029, U+FEFF as \uXXXX or the short
// escapes); everything else is raw UTF-8. A string that is not valid UTF-8
// cannot be written that way, so the program stops with an error instead.
//
// Built by spm_goldens.sh: g++ -O2 -std=c++17 spm_goldens.cc -lsentencepiece

#include <sentencepiece_processor.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(const std::string &msg) {
  std::cerr << "spm_goldens: " << msg << "\n";
  std::exit(1);
}

void put_utf8(std::string *out, uint32_t c) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

int hexval(char ch);

bool parse_hex(const std::string &line, std::string *out) {
  out->clear();
  if (line.size() % 2 != 0) return false;
  for (size_t i = 0; i < line.size(); i += 2) {
    const int hi = hexval(line[i]), lo = hexval(line[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

int hexval(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

// Parses a line that is exactly one JSON string. Surrogate pairs are joined;
// a lone surrogate is an error (it has no UTF-8 form).
bool parse_json_string(const std::string &line, std::string *out) {
  out->clear();
  size_t i = 0, n = line.size();
  if (n < 2 || line[0] != '"') return false;
  i = 1;
  auto read4 = [&](uint32_t *v) {
    if (i + 4 > n) return false;
    *v = 0;
    for (int k = 0; k < 4; k++) {
      const int h = hexval(line[i + k]);
      if (h < 0) return false;
      *v = *v * 16 + static_cast<uint32_t>(h);
    }
    i += 4;
    return true;
  };
  while (i < n) {
    const char ch = line[i++];
    if (ch == '"') return i == n;
    if (static_cast<unsigned char>(ch) < 0x20) return false;
    if (ch != '\\') {
      out->push_back(ch);
      continue;
    }
    if (i >= n) return false;
    const char e = line[i++];
    switch (e) {
      case '"': out->push_back('"'); break;
      case '\\': out->push_back('\\'); break;
      case '/': out->push_back('/'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'u': {
        uint32_t c;
        if (!read4(&c)) return false;
        if (c >= 0xDC00 && c <= 0xDFFF) return false;
        if (c >= 0xD800 && c <= 0xDBFF) {
          uint32_t lo;
          if (i + 2 > n || line[i] != '\\' || line[i + 1] != 'u') return false;
          i += 2;
          if (!read4(&lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
          c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
        }
        put_utf8(out, c);
        break;
      }
      default: return false;
    }
  }
  return false;
}

// Decodes one UTF-8 character at s[i]; returns its length, 0 if invalid.
size_t utf8_char(const std::string &s, size_t i, uint32_t *cp) {
  const unsigned char b0 = static_cast<unsigned char>(s[i]);
  size_t len;
  uint32_t c, min;
  if (b0 < 0x80) { *cp = b0; return 1; }
  if (b0 >= 0xC2 && b0 <= 0xDF) { len = 2; c = b0 & 0x1F; min = 0x80; }
  else if (b0 >= 0xE0 && b0 <= 0xEF) { len = 3; c = b0 & 0x0F; min = 0x800; }
  else if (b0 >= 0xF0 && b0 <= 0xF4) { len = 4; c = b0 & 0x07; min = 0x10000; }
  else return 0;
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; k++) {
    const unsigned char b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  return len;
}

void put_json_string(std::string *out, const std::string &s, size_t lineno,
                     const char *what) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    uint32_t c;
    const size_t len = utf8_char(s, i, &c);
    if (len == 0)
      die("line " + std::to_string(lineno) + ": " + what +
          " is not valid UTF-8 at byte " + std::to_string(i));
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 ||
            c == 0x2029 || c == 0xFEFF) {
          out->append("\\u");
          for (int shift = 12; shift >= 0; shift -= 4)
            out->push_back(kHex[(c >> shift) & 0xF]);
        } else {
          out->append(s, i, len);
        }
    }
    i += len;
  }
  out->push_back('"');
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 3) die("usage: spm_goldens MODEL CORPUS.jsonl > OUT.jsonl");
  sentencepiece::SentencePieceProcessor sp;
  const auto load = sp.Load(argv[1]);
  if (!load.ok()) die(std::string(argv[1]) + ": " + load.ToString());

  std::ifstream in(argv[2], std::ios::binary);
  if (!in) die(std::string(argv[2]) + ": cannot open");

  const std::string corpus = argv[2];
  const bool hex = corpus.size() > 4 && corpus.compare(corpus.size() - 4, 4, ".hex") == 0;
  std::string line, text, out;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    lineno++;
    if (!(hex ? parse_hex(line, &text) : parse_json_string(line, &text)))
      die(corpus + ":" + std::to_string(lineno) +
          (hex ? ": not hex digits" : ": not one JSON string"));
    out.clear();

    sentencepiece::ImmutableSentencePieceText spt;
    auto status = sp.Encode(text, spt.mutable_proto());
    std::vector<int> ids;
    std::string decoded;
    if (status.ok()) {
      for (const auto &p : spt.pieces()) ids.push_back(static_cast<int>(p.id()));
      status = sp.Decode(ids, &decoded);
    }
    if (!status.ok()) {
      out.append("{\"error\":");
      put_json_string(&out, status.ToString(), lineno, "error");
      out.append("}\n");
      std::fwrite(out.data(), 1, out.size(), stdout);
      continue;
    }

    out.append("{\"ids\":[");
    for (size_t k = 0; k < ids.size(); k++) {
      if (k) out.push_back(',');
      out.append(std::to_string(ids[k]));
    }
    out.append("],\"spans\":[");
    const auto pieces = spt.pieces();
    long long prev_end = 0;
    for (size_t k = 0; k < pieces.size(); k++) {
      if (k) out.push_back(',');
      const long long begin = pieces[k].begin(), end = pieces[k].end();
      out.append(std::to_string(begin - prev_end));
      out.push_back(',');
      out.append(std::to_string(end - begin));
      prev_end = end;
    }
    out.append("],\"decode\":");
    put_json_string(&out, decoded, lineno, "the decoded text");
    out.append("}\n");
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) die("write error");
  return 0;
}
