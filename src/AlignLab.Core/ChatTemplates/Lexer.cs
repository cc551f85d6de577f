using System.Globalization;
using System.Text;

namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// Splits a template into tokens the way jinja2's lexer does under transformers' settings
/// (trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False). Whitespace control lives here, so every
/// rule below mirrors a regex of jinja2/lexer.py: byte-identical output depends on it.
/// </summary>
internal sealed class Lexer
{
    private static readonly string[] TwoCharOperators = ["//", "**", "==", "!=", ">=", "<="];
    private const string OneCharOperators = "+-/*%~[](){}><=.:|,;";

    private readonly string _src;
    private readonly List<int> _lineStarts = [0];
    private readonly List<Token> _tokens = [];
    private int _pos;

    // jinja2's line_starting: lstrip_blocks may strip the indentation in front of a tag only at the start of a line,
    // and the first text of the template, or the text right after a consumed newline, starts one.
    private bool _lineStarting = true;

    private Lexer(string source)
    {
        // jinja2 normalises \r\n and \r to \n, then drops one trailing newline (keep_trailing_newline=False).
        var src = source.Replace("\r\n", "\n").Replace('\r', '\n');
        _src = src.EndsWith('\n') ? src[..^1] : src;
        for (var i = 0; i < _src.Length; i++)
            if (_src[i] == '\n') _lineStarts.Add(i + 1);
    }

    public static List<Token> Tokenize(string source)
    {
        var lexer = new Lexer(source);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        while (_pos < _src.Length)
        {
            var open = FindTagOpen(_pos);
            if (open < 0)
            {
                Emit(TokenKind.Data, _src[_pos..], _pos);
                break;
            }
            var text = _src[_pos..open];
            var textStart = _pos;
            var kind = _src[open + 1];
            if (kind == '%' && TryRawBegin(open, out var rawSign, out var rawEnd))
            {
                EmitData(ApplyLeftStrip(text, rawSign, isVariable: false), textStart);
                _lineStarting = _src[rawEnd - 1] == '\n';
                _pos = rawEnd;
                LexRawBody();
                continue;
            }
            var sign = open + 2 < _src.Length && _src[open + 2] is '-' or '+' ? _src[open + 2] : '\0';
            EmitData(ApplyLeftStrip(text, sign, isVariable: kind == '{'), textStart);
            _pos = open + 2 + (sign == '\0' ? 0 : 1);
            _lineStarting = false;
            switch (kind)
            {
                case '#': LexComment(open); break;
                case '%': Emit(TokenKind.BlockBegin, "{%", open); LexTag(isBlock: true); break;
                default: Emit(TokenKind.VariableBegin, "{{", open); LexTag(isBlock: false); break;
            }
        }
        _tokens.Add(new Token(TokenKind.Eof, null, LineOf(_src.Length)));
    }

    private int FindTagOpen(int from)
    {
        for (var i = _src.IndexOf('{', from); i >= 0 && i + 1 < _src.Length; i = _src.IndexOf('{', i + 1))
            if (_src[i + 1] is '{' or '%' or '#') return i;
        return -1;
    }

    // '-' strips all whitespace before the tag; otherwise lstrip_blocks removes the whitespace that alone precedes
    // a block or comment tag on its line ('+' opts out, and {{ }} never lstrips).
    private string ApplyLeftStrip(string text, char sign, bool isVariable)
    {
        if (sign == '-') return PyText.RStrip(text);
        if (sign == '+' || isVariable) return text;
        var lineStart = text.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !_lineStarting) return text;
        if (lineStart == text.Length) return text;
        for (var i = lineStart; i < text.Length; i++)
            if (!PyText.IsSpace(text[i])) return text;
        return text[..lineStart];
    }

    private void LexComment(int open)
    {
        // jinja2's "missing end" rule needs one more character, so an opener that ends the template passes silently.
        if (_pos >= _src.Length) return;
        for (var i = _pos; i + 1 < _src.Length; i++)
        {
            if (_src[i] is '+' or '-' && i + 2 < _src.Length && _src[i + 1] == '#' && _src[i + 2] == '}')
            {
                _pos = i + 3;
                if (_src[i] == '-') SkipWhitespaceAfterTag();
                return;
            }
            if (_src[i] == '#' && _src[i + 1] == '}')
            {
                _pos = i + 2;
                TrimBlock();
                return;
            }
        }
        throw Error(open, "missing end of comment tag");
    }

    // {% raw %} matches only when the tag is exactly "raw": jinja2 tries it before an ordinary block tag.
    private bool TryRawBegin(int open, out char sign, out int end)
    {
        var p = open + 2;
        sign = p < _src.Length && _src[p] is '-' or '+' ? _src[p] : '\0';
        if (sign != '\0') p++;
        p = SkipSpaces(p);
        end = -1;
        if (string.CompareOrdinal(_src, p, "raw", 0, 3) != 0) return false;
        p = SkipSpaces(p + 3);
        if (string.CompareOrdinal(_src, p, "-%}", 0, 3) == 0) end = SkipSpaces(p + 3);
        else if (string.CompareOrdinal(_src, p, "%}", 0, 2) == 0) end = p + 2;
        return end > 0;
    }

    private void LexRawBody()
    {
        if (_pos >= _src.Length) return;
        for (var i = _src.IndexOf("{%", _pos, StringComparison.Ordinal); i >= 0; i = _src.IndexOf("{%", i + 1, StringComparison.Ordinal))
        {
            var p = i + 2;
            var sign = p < _src.Length && _src[p] is '-' or '+' ? _src[p] : '\0';
            if (sign != '\0') p++;
            p = SkipSpaces(p);
            if (string.CompareOrdinal(_src, p, "endraw", 0, 6) != 0) continue;
            p = SkipSpaces(p + 6);
            var closeLength = p < _src.Length && _src[p] is '+' or '-' ? 3 : 2;
            if (string.CompareOrdinal(_src, p + closeLength - 2, "%}", 0, 2) != 0) continue;
            EmitData(ApplyLeftStrip(_src[_pos..i], sign, isVariable: false), _pos);
            _pos = p + closeLength;
            if (_src[p] == '-') SkipWhitespaceAfterTag();
            else if (_src[p] == '+') _lineStarting = false;
            else TrimBlock();
            return;
        }
        throw Error(_pos, "missing end of raw directive");
    }

    private void LexTag(bool isBlock)
    {
        var brackets = new Stack<char>();
        while (true)
        {
            if (_pos >= _src.Length) throw Error(_pos, "unexpected end of template, the tag was never closed");
            if (brackets.Count == 0 && TryTagEnd(isBlock)) return;
            var c = _src[_pos];
            if (PyText.IsSpace(c)) { _pos++; continue; }
            if (char.IsAsciiDigit(c)) { LexNumber(); continue; }
            if (c == '_' || char.IsLetter(c)) { LexName(); continue; }
            if (c is '\'' or '"') { LexString(); continue; }
            LexOperator(brackets);
        }
    }

    private bool TryTagEnd(bool isBlock)
    {
        var close = isBlock ? "%}" : "}}";
        var start = _pos;
        if (isBlock && _src[_pos] == '+' && string.CompareOrdinal(_src, _pos + 1, close, 0, 2) == 0)
        {
            _pos += 3;
            _lineStarting = false;
        }
        else if (_src[_pos] == '-' && string.CompareOrdinal(_src, _pos + 1, close, 0, 2) == 0)
        {
            _pos += 3;
            SkipWhitespaceAfterTag();
        }
        else if (string.CompareOrdinal(_src, _pos, close, 0, 2) == 0)
        {
            _pos += 2;
            // trim_blocks eats the first newline after a block tag, never after {{ }}.
            if (isBlock) TrimBlock();
            else _lineStarting = false;
        }
        else return false;
        Emit(isBlock ? TokenKind.BlockEnd : TokenKind.VariableEnd, close, start);
        return true;
    }

    private void TrimBlock()
    {
        _lineStarting = _pos < _src.Length && _src[_pos] == '\n';
        if (_lineStarting) _pos++;
    }

    private void SkipWhitespaceAfterTag()
    {
        var start = _pos;
        _pos = SkipSpaces(_pos);
        _lineStarting = _pos > start && _src[_pos - 1] == '\n';
    }

    private int SkipSpaces(int p)
    {
        while (p < _src.Length && PyText.IsSpace(_src[p])) p++;
        return p;
    }

    private void LexNumber()
    {
        var start = _pos;
        if (_src[_pos] == '0' && _pos + 2 < _src.Length && "bBoOxX".Contains(_src[_pos + 1]))
        {
            var radix = char.ToLowerInvariant(_src[_pos + 1]) switch { 'b' => 2, 'o' => 8, _ => 16 };
            var p = _pos + 2;
            long value = 0;
            for (; p < _src.Length && (_src[p] == '_' || DigitValue(_src[p]) < radix); p++)
                if (_src[p] != '_') value = checked(value * radix + DigitValue(_src[p]));
            if (p > _pos + 2)
            {
                _pos = p;
                Emit(TokenKind.Integer, value, start);
                return;
            }
        }
        var intEnd = ScanDigits(_pos);
        var end = intEnd;
        var isFloat = false;
        // jinja2's float rule has a (?<!\.) guard, so "x.0.1" lexes as attribute-style integers.
        var floatAllowed = start == 0 || _src[start - 1] != '.';
        if (floatAllowed && end + 1 < _src.Length && _src[end] == '.' && char.IsAsciiDigit(_src[end + 1]))
        {
            end = ScanDigits(end + 1);
            isFloat = true;
        }
        if (floatAllowed && end < _src.Length && _src[end] is 'e' or 'E')
        {
            var p = end + 1;
            if (p < _src.Length && _src[p] is '+' or '-') p++;
            if (p < _src.Length && char.IsAsciiDigit(_src[p]))
            {
                end = ScanDigits(p);
                isFloat = true;
            }
        }
        if (!isFloat && _src[start] == '0')
        {
            // Python forbids leading zeros in decimal integers: "007" is "00" then "7" in jinja2's lexer.
            end = start + 1;
            while (end < _src.Length && (_src[end] == '0' || _src[end] == '_' && end + 1 < _src.Length && _src[end + 1] == '0')) end++;
        }
        var text = _src[start..end].Replace("_", "");
        _pos = end;
        if (isFloat) Emit(TokenKind.Float, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), start);
        else if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) Emit(TokenKind.Integer, value, start);
        else throw Error(start, $"integer literal {text} is too large");
    }

    private static int DigitValue(char c) => char.IsAsciiHexDigit(c) ? Convert.ToInt32(c.ToString(), 16) : 99;

    private int ScanDigits(int p)
    {
        while (p < _src.Length && (char.IsAsciiDigit(_src[p]) || _src[p] == '_' && p + 1 < _src.Length && char.IsAsciiDigit(_src[p + 1]))) p++;
        return p;
    }

    private void LexName()
    {
        var start = _pos;
        while (_pos < _src.Length && (_src[_pos] == '_' || char.IsLetterOrDigit(_src[_pos]) || IsIdentifierExtender(_src[_pos]))) _pos++;
        Emit(TokenKind.Name, _src[start.._pos], start);
    }

    private static bool IsIdentifierExtender(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation;

    private void LexString()
    {
        var start = _pos;
        var quote = _src[_pos];
        var p = _pos + 1;
        while (p < _src.Length && _src[p] != quote) p += _src[p] == '\\' ? 2 : 1;
        if (p >= _src.Length) throw Error(start, $"unexpected char {PyRepr.Repr(quote.ToString())} (unterminated string)");
        _pos = p + 1;
        Emit(TokenKind.String, Unescape(_src.AsSpan(start + 1, p - start - 1), start), start);
    }

    private void LexOperator(Stack<char> brackets)
    {
        var start = _pos;
        var op = Array.Find(TwoCharOperators, o => string.CompareOrdinal(_src, _pos, o, 0, 2) == 0);
        if (op is null)
        {
            if (!OneCharOperators.Contains(_src[_pos])) throw Error(_pos, $"unexpected char {PyRepr.Repr(_src[_pos].ToString())}");
            op = _src[_pos].ToString();
        }
        switch (op)
        {
            case "(": brackets.Push(')'); break;
            case "[": brackets.Push(']'); break;
            case "{": brackets.Push('}'); break;
            case ")" or "]" or "}":
                if (brackets.Count == 0) throw Error(_pos, $"unexpected '{op}'");
                var expected = brackets.Pop();
                if (expected != op[0]) throw Error(_pos, $"unexpected '{op}', expected '{expected}'");
                break;
        }
        _pos += op.Length;
        Emit(TokenKind.Operator, op, start);
    }

    // jinja2 decodes string literals with Python's unicode-escape codec: unknown escapes keep their backslash.
    private string Unescape(ReadOnlySpan<char> body, int at)
    {
        if (!body.Contains('\\')) return body.ToString();
        var sb = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != '\\' || i + 1 >= body.Length)
            {
                sb.Append(body[i]);
                continue;
            }
            var e = body[++i];
            switch (e)
            {
                case '\n': break;
                case '\\' or '\'' or '"': sb.Append(e); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case 'x' or 'u' or 'U':
                    var width = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (body.Length - i - 1 < width ||
                        !long.TryParse(body.Slice(i + 1, width), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) ||
                        code > 0x10FFFF)
                        throw Error(at, $"truncated \\{e} escape in a string literal");
                    sb.Append(code <= 0xFFFF ? ((char)code).ToString() : char.ConvertFromUtf32((int)code));
                    i += width;
                    break;
                case >= '0' and <= '7':
                    var octal = e - '0';
                    for (var n = 0; n < 2 && i + 1 < body.Length && body[i + 1] is >= '0' and <= '7'; n++) octal = octal * 8 + (body[++i] - '0');
                    sb.Append((char)octal);
                    break;
                default: sb.Append('\\').Append(e); break;
            }
        }
        return sb.ToString();
    }

    private void EmitData(string text, int at)
    {
        if (text.Length > 0) Emit(TokenKind.Data, text, at);
    }

    private void Emit(TokenKind kind, object value, int at) => _tokens.Add(new Token(kind, value, LineOf(at)));

    private int LineOf(int position)
    {
        var index = _lineStarts.BinarySearch(position);
        return index >= 0 ? index + 1 : ~index;
    }

    private ChatTemplateException Error(int at, string message) => new($"line {LineOf(at)}: {message}");
}
