using System.Reflection;
using System.Reflection.Emit;
using AlignLab.Training.Models;

namespace AlignLab.Training.Tests;

/// <summary>Training reads downward only: no namespace of AlignLab.Training uses a type of one that uses it back,
/// directly or round a longer loop. A folder may use its own subfolders (Models.ModelFolder picks the architecture
/// in Models/Gpt2, Models/Llama, …, which build on Models' base types): that edge points down. Read from the compiled
/// assembly (signatures, base types, and every type, method and field an IL instruction names), so a fully qualified
/// name counts as much as a using; constants are inlined by the compiler and do not count.</summary>
public class NamespaceLayeringTests
{
    [Fact]
    public void NoNamespaceInTrainingDependsOnOneThatDependsBackOnIt()
    {
        var graph = NamespaceGraph(typeof(CausalLM).Assembly);
        Assert.True(graph.Count > 10, $"only {graph.Count} namespaces read: the reader is broken");
        var cycles = StronglyConnected(graph).Where(c => c.Count > 1).ToList();
        Assert.True(cycles.Count == 0, string.Join("\n", cycles.Select(c => Describe(c, graph))));
    }

    [Fact]
    public void TheGraphHoldsWhatTheFigaMethodUses()
    {
        // A reader that missed IL or signatures would find no cycles for the wrong reason.
        var graph = NamespaceGraph(typeof(CausalLM).Assembly);
        Assert.Contains("AlignLab.Training.Methods.Common", graph["AlignLab.Training.Methods.Figa"].Keys);
        Assert.Contains("AlignLab.Training.Models", graph["AlignLab.Training.Methods.Figa"].Keys);
    }

    private static string Describe(IReadOnlyList<string> cycle, Dictionary<string, Dictionary<string, string>> graph) =>
        "cycle: " + string.Join("; ", cycle.SelectMany(a => cycle.Where(b => graph[a].ContainsKey(b)).Select(b => $"{a} → {b} ({graph[a][b]})")));

    /// <summary>Namespace → namespaces it uses, each with one type that shows it.</summary>
    private static Dictionary<string, Dictionary<string, string>> NamespaceGraph(Assembly assembly)
    {
        var graph = new Dictionary<string, Dictionary<string, string>>();
        foreach (var type in assembly.GetTypes())
        {
            var from = NamespaceOf(type);
            if (from is null) continue;
            var edges = graph.TryGetValue(from, out var e) ? e : graph[from] = [];
            foreach (var used in UsedTypes(type).SelectMany(Flatten))
                if (used.Assembly == assembly && NamespaceOf(used) is { } to && to != from && !to.StartsWith(from + ".", StringComparison.Ordinal))
                    edges.TryAdd(to, $"{Outermost(type).Name} uses {Outermost(used).Name}");
        }
        return graph;
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer) type = outer;
        return type;
    }

    private static string? NamespaceOf(Type type) => Outermost(type).Namespace;

    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType) { foreach (var t in Flatten(type.GetElementType()!)) yield return t; yield break; }
        if (type.IsGenericParameter) yield break;
        yield return type;
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
            foreach (var argument in type.GetGenericArguments())
                foreach (var t in Flatten(argument)) yield return t;
    }

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static IEnumerable<Type> UsedTypes(Type type)
    {
        if (type.BaseType is { } baseType) yield return baseType;
        foreach (var i in type.GetInterfaces()) yield return i;
        foreach (var field in type.GetFields(Declared)) yield return field.FieldType;
        foreach (var property in type.GetProperties(Declared)) yield return property.PropertyType;
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info) yield return info.ReturnType;
            foreach (var parameter in method.GetParameters()) yield return parameter.ParameterType;
            foreach (var used in IlTypes(method)) yield return used;
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The types of every member and type token in the method's IL, and of its locals.</summary>
    private static IEnumerable<Type> IlTypes(MethodBase method)
    {
        var body = method.GetMethodBody();
        if (body is null) yield break;
        foreach (var local in body.LocalVariables) yield return local.LocalType;
        var il = body.GetILAsByteArray()!;
        var typeArguments = method.DeclaringType!.IsGenericType ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            var code = il[i] == 0xFE ? OpCodesByValue[(short)(0xFE00 | il[i + 1])] : OpCodesByValue[il[i]];
            i += code.Size;
            var operand = code.OperandType;
            if (operand is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                var member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArguments, methodArguments);
                switch (member)
                {
                    case Type t: yield return t; break;
                    case FieldInfo f: yield return f.DeclaringType!; yield return f.FieldType; break;
                    case MethodBase m:
                        yield return m.DeclaringType!;
                        if (m is MethodInfo mi) { yield return mi.ReturnType; foreach (var g in mi.IsGenericMethod ? mi.GetGenericArguments() : []) yield return g; }
                        foreach (var p in m.GetParameters()) yield return p.ParameterType;
                        break;
                }
            }
            i += operand switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
    }

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var result = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            foreach (var w in graph.TryGetValue(v, out var edges) ? edges.Keys.ToList() : [])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (stack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); component.Add(x); } while (x != v);
            result.Add(component);
        }
        foreach (var v in graph.Keys.ToList()) if (!index.ContainsKey(v)) Visit(v);
        return result;
    }
}
