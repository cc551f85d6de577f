namespace AlignLab.Core.ChatTemplates;

/// <summary>
/// Python's arithmetic operators: int stays int (64-bit here, checked), / always gives a float, // and % floor
/// toward negative infinity, + and * also work on str, list and tuple, and str % args formats printf-style.
/// </summary>
internal static class Operators
{
    public static object? Binary(string op, object? left, object? right)
    {
        if (left is Undefined l) throw l.Fail();
        if (right is Undefined r) throw r.Fail();
        if (Py.IsNumber(left) && Py.IsNumber(right))
            return Py.IsInteger(left) && Py.IsInteger(right) ? IntegerMath(op, Py.ToLong(left), Py.ToLong(right)) : FloatMath(op, Py.ToDouble(left), Py.ToDouble(right));
        switch (op)
        {
            case "+" when left is string a && right is string b:
                return a + b;
            case "+" when left is List<object?> a && right is List<object?> b:
                return a.Concat(b).ToList();
            case "+" when left is PyTuple a && right is PyTuple b:
                return new PyTuple([.. a.Items, .. b.Items]);
            case "+" when left is string or List<object?> or PyTuple:
                throw new TemplateRuntimeError($"can only concatenate {Py.TypeName(left)} (not \"{Py.TypeName(right)}\") to {Py.TypeName(left)}");
            case "*" when Py.IsInteger(right) && left is string or List<object?> or PyTuple:
                return Repeat(left!, Py.ToLong(right));
            case "*" when Py.IsInteger(left) && right is string or List<object?> or PyTuple:
                return Repeat(right!, Py.ToLong(left));
            case "%" when left is string format:
                return PyFormat.Percent(format, right);
        }
        throw new TemplateRuntimeError($"unsupported operand type(s) for {op}: '{Py.TypeName(left)}' and '{Py.TypeName(right)}'");
    }

    public static object? Unary(char op, object? operand)
    {
        if (operand is Undefined undefined) throw undefined.Fail();
        return operand switch
        {
            long or bool when op == '-' => (object)checked(-Py.ToLong(operand)),
            long or bool => Py.ToLong(operand),
            double d => op == '-' ? -d : d,
            _ => throw new TemplateRuntimeError($"bad operand type for unary {op}: '{Py.TypeName(operand)}'"),
        };
    }

    private static object IntegerMath(string op, long a, long b)
    {
        switch (op)
        {
            case "+": return checked(a + b);
            case "-": return checked(a - b);
            case "*": return checked(a * b);
            case "/":
                if (b == 0) throw new TemplateRuntimeError("division by zero");
                return (double)a / b;
            case "//":
                if (b == 0) throw new TemplateRuntimeError("integer division or modulo by zero");
                var quotient = a / b;
                return a % b != 0 && (a < 0) != (b < 0) ? quotient - 1 : quotient;
            case "%":
                if (b == 0) throw new TemplateRuntimeError("integer division or modulo by zero");
                var remainder = a % b;
                return remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder;
            default:
                if (b < 0) return Math.Pow(a, b);
                long result = 1, power = a;
                for (var e = b; e > 0; e >>= 1)
                {
                    if ((e & 1) == 1) result = checked(result * power);
                    if (e > 1) power = checked(power * power);
                }
                return result;
        }
    }

    private static object FloatMath(string op, double a, double b)
    {
        switch (op)
        {
            case "+": return a + b;
            case "-": return a - b;
            case "*": return a * b;
            case "**": return Math.Pow(a, b);
        }
        if (b == 0) throw new TemplateRuntimeError(op == "/" ? "float division by zero" : "float modulo");
        if (op == "/") return a / b;
        // C#'s % on doubles is C fmod (sign of the dividend); Python's takes the sign of the divisor.
        var remainder = a % b;
        if (remainder != 0 && (remainder < 0) != (b < 0)) remainder += b;
        return op == "%" ? remainder : Math.Round((a - remainder) / b);
    }

    private static object Repeat(object sequence, long times)
    {
        var count = (int)Math.Clamp(times, 0, int.MaxValue);
        var length = sequence switch { string s => s.Length, List<object?> l => l.Count, PyTuple t => t.Items.Length, _ => 0 };
        if ((long)length * count > Interpreter.MaxOutputCharacters)
            throw new TemplateRuntimeError($"repeating {length} items {count} times makes more than {Interpreter.MaxOutputCharacters:N0}");
        return sequence switch
        {
            string s => string.Concat(Enumerable.Repeat(s, count)),
            List<object?> list => Enumerable.Repeat(list, count).SelectMany(x => x).ToList(),
            _ => new PyTuple(Enumerable.Repeat(((PyTuple)sequence).Items, count).SelectMany(x => x).ToArray()),
        };
    }
}
