namespace AlignLab.Training.Demo;

/// <summary>Built-in instruction/response pairs for the demo model: templated facts and arithmetic that a tiny
/// model learns in minutes on a CPU, so its answers are visibly on topic. Deterministic for a given seed.</summary>
public static class DemoData
{
    public sealed record Example(string Instruction, string Input, string Response);

    private static readonly (string Fruit, string Color)[] Fruits =
        [("banana", "yellow"), ("apple", "red"), ("lime", "green"), ("plum", "purple"), ("orange", "orange"), ("cherry", "red"), ("kiwi", "brown"), ("lemon", "yellow")];
    private static readonly (string Country, string Capital)[] Capitals =
        [("France", "Paris"), ("Japan", "Tokyo"), ("Italy", "Rome"), ("Spain", "Madrid"), ("Egypt", "Cairo"), ("Peru", "Lima"), ("Kenya", "Nairobi"), ("Canada", "Ottawa"), ("Norway", "Oslo"), ("Chile", "Santiago")];
    private static readonly (string Animal, string Home, string Food)[] Animals =
        [("cow", "farm", "grass"), ("fish", "sea", "plankton"), ("camel", "desert", "leaves"), ("owl", "forest", "mice"), ("frog", "pond", "flies"), ("bee", "hive", "nectar"), ("bear", "forest", "berries")];
    private static readonly string[] Numbers = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

    public static IReadOnlyList<Example> Generate(int count = 2000, int seed = 7)
    {
        var random = new Random(seed);
        var examples = new List<Example>(count);
        while (examples.Count < count)
        {
            examples.Add(random.Next(5) switch
            {
                0 => Pick(random, Fruits) is var f ? new Example($"What color is a {f.Fruit}?", "", $"A ripe {f.Fruit} is {f.Color}.") : null!,
                1 => Pick(random, Capitals) is var c ? new Example($"What is the capital of {c.Country}?", "", $"The capital of {c.Country} is {c.Capital}.") : null!,
                2 => Pick(random, Animals) is var a ? new Example($"Where does a {a.Animal} live?", "", $"A {a.Animal} lives in the {a.Home} and eats {a.Food}.") : null!,
                3 => Sum(random),
                _ => Pick(random, Animals) is var b ? new Example("What does this animal eat?", b.Animal, $"The {b.Animal} eats {b.Food}.") : null!,
            });
        }
        return examples;
    }

    private static Example Sum(Random random)
    {
        int x = random.Next(6), y = random.Next(5);
        return new Example($"What is {Numbers[x]} plus {Numbers[y]}?", "", $"{Capitalize(Numbers[x])} plus {Numbers[y]} is {Numbers[x + y]}.");
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private static string Capitalize(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
