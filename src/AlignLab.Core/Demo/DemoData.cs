namespace AlignLab.Core.Demo;

/// <summary>Built-in instruction/response pairs for the demo model: templated facts and arithmetic that a tiny
/// model learns in minutes on a CPU, so its answers are visibly on topic. Deterministic for a given seed.</summary>
public static class DemoData
{
    public sealed record Example(string Instruction, string Input, string Response);

    /// <summary>An example with a plausible wrong answer that differs from the right one in the facts only: the
    /// (initial response, minimal revision) pairs of FIGA's SPA data.</summary>
    public sealed record Pair(Example Example, string WrongResponse);

    private static readonly (string Fruit, string Color)[] Fruits =
        [("banana", "yellow"), ("apple", "red"), ("lime", "green"), ("plum", "purple"), ("orange", "orange"), ("cherry", "red"), ("kiwi", "brown"), ("lemon", "yellow")];
    private static readonly (string Country, string Capital)[] Capitals =
        [("France", "Paris"), ("Japan", "Tokyo"), ("Italy", "Rome"), ("Spain", "Madrid"), ("Egypt", "Cairo"), ("Peru", "Lima"), ("Kenya", "Nairobi"), ("Canada", "Ottawa"), ("Norway", "Oslo"), ("Chile", "Santiago")];
    private static readonly (string Animal, string Home, string Food)[] Animals =
        [("cow", "farm", "grass"), ("fish", "sea", "plankton"), ("camel", "desert", "leaves"), ("owl", "forest", "mice"), ("frog", "pond", "flies"), ("bee", "hive", "nectar"), ("bear", "forest", "berries")];
    private static readonly string[] Numbers = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

    public static IReadOnlyList<Example> Generate(int count = 2000, int seed = 7) =>
        GeneratePairs(count, seed).Select(p => p.Example).ToList();

    public static IReadOnlyList<Pair> GeneratePairs(int count = 2000, int seed = 7)
    {
        var random = new Random(seed);
        var pairs = new List<Pair>(count);
        while (pairs.Count < count)
        {
            // The wrong answer is a fixed function of the question (the next entry's fact), so a policy trained on
            // it is confident in its mistakes, as a model is in its own rollouts.
            switch (random.Next(5))
            {
                case 0:
                    var f = random.Next(Fruits.Length);
                    var (fruit, color) = Fruits[f];
                    pairs.Add(new Pair(new Example($"What color is a {fruit}?", "", $"A ripe {fruit} is {color}."), $"A ripe {fruit} is {Next(Fruits, f, x => x.Color)}."));
                    break;
                case 1:
                    var c = random.Next(Capitals.Length);
                    var (country, capital) = Capitals[c];
                    pairs.Add(new Pair(new Example($"What is the capital of {country}?", "", $"The capital of {country} is {capital}."), $"The capital of {country} is {Next(Capitals, c, x => x.Capital)}."));
                    break;
                case 2:
                    var a = random.Next(Animals.Length);
                    var (animal, home, food) = Animals[a];
                    pairs.Add(new Pair(new Example($"Where does a {animal} live?", "", $"A {animal} lives in the {home} and eats {food}."), $"A {animal} lives in the {Next(Animals, a, x => x.Home)} and eats {food}."));
                    break;
                case 3:
                    int x = random.Next(6), y = random.Next(5);
                    var question = new Example($"What is {Numbers[x]} plus {Numbers[y]}?", "", $"{Capitalize(Numbers[x])} plus {Numbers[y]} is {Numbers[x + y]}.");
                    pairs.Add(new Pair(question, $"{Capitalize(Numbers[x])} plus {Numbers[y]} is {Numbers[x + y + 1]}."));
                    break;
                default:
                    var e = random.Next(Animals.Length);
                    var (eater, _, meal) = Animals[e];
                    pairs.Add(new Pair(new Example("What does this animal eat?", eater, $"The {eater} eats {meal}."), $"The {eater} eats {Next(Animals, e, x => x.Food)}."));
                    break;
            }
        }
        return pairs;
    }

    /// <summary>A multiple-choice item: the question, four answers in the demo's own words that differ only in the fact
    /// (the right one at <see cref="Answer"/>), and the kind of fact.</summary>
    public sealed record Choices(string Question, IReadOnlyList<string> Answers, int Answer, string Group);

    /// <summary>Every capital and every fruit colour asked once, with three wrong facts beside the right one in a seeded
    /// order: the demo's multiple-choice evaluation set.</summary>
    public static IReadOnlyList<Choices> MultipleChoice(int seed = 51)
    {
        var random = new Random(seed);
        Choices Item(string question, Func<string, string> answer, string right, IEnumerable<string> facts, string group)
        {
            var wrong = facts.Where(f => f != right).Distinct().OrderBy(_ => random.Next()).Take(3);
            var answers = wrong.Append(right).OrderBy(_ => random.Next()).Select(answer).ToList();
            return new Choices(question, answers, answers.IndexOf(answer(right)), group);
        }
        return
        [
            .. Capitals.Select(c => Item($"What is the capital of {c.Country}?", x => $"The capital of {c.Country} is {x}.", c.Capital,
                Capitals.Select(o => o.Capital), "capitals")),
            .. Fruits.Select(f => Item($"What color is a {f.Fruit}?", x => $"A ripe {f.Fruit} is {x}.", f.Color, Fruits.Select(o => o.Color), "colors")),
        ];
    }

    /// <summary>The fact of the first later entry (cyclically) whose fact differs from entry <paramref name="index"/>'s.</summary>
    private static string Next<T>(T[] items, int index, Func<T, string> fact)
    {
        for (int k = 1; k < items.Length; k++)
            if (fact(items[(index + k) % items.Length]) != fact(items[index])) return fact(items[(index + k) % items.Length]);
        throw new InvalidOperationException("all entries share the fact");
    }

    private static string Capitalize(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
