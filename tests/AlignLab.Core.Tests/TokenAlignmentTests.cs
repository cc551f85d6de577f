using AlignLab.Core.Alignment;

namespace AlignLab.Core.Tests;

public class TokenAlignmentTests
{
    private static int[] T(string s) => s.Select(c => (int)c).ToArray();

    private static string Ops(string source, string target) =>
        string.Join(" ", TokenAlignment.EditOps(T(source), T(target)).Select(o => $"{o.Kind.ToString()[0]}{o.SourcePosition},{o.TargetPosition}"));

    [Theory]
    [InlineData("abc", "abc", "")]                       // identical: nothing to do
    [InlineData("ab", "axb", "I1,1")]                     // python-Levenshtein: ('insert', 1, 1)
    [InlineData("axb", "ab", "D1,1")]                     // ('delete', 1, 1)
    [InlineData("ab", "ac", "R1,1")]                      // ('replace', 1, 1)
    [InlineData("", "ab", "I0,0 I0,1")]                   // empty source
    [InlineData("ab", "", "D0,0 D1,0")]                   // empty target
    [InlineData("kitten", "sitting", "R0,0 R4,4 I6,6")]   // the textbook pair: distance 3
    [InlineData("the cat sat", "the dog sat", "R4,4 R5,5 R6,6")]
    public void HandWorkedCases(string source, string target, string expected) => Assert.Equal(expected, Ops(source, target));

    [Fact]
    public void LabelsMarkChangedTargetAndSourceTokens()
    {
        // Ŷ = "A B C D", Ỹ = "A X C D E": B→X substituted, E added.
        var (target, source) = TokenAlignment.Labels([1, 2, 3, 4], [1, 9, 3, 4, 5]);
        Assert.Equal([false, true, false, false, true], target);
        Assert.Equal([false, true, false, false], source);

        var (_, deleted) = TokenAlignment.Labels([1, 2, 3], [1, 3]);
        Assert.Equal([false, true, false], deleted);
    }

    [Fact]
    public void RandomPairsAreAlignedOptimallyAndTheOpsRebuildTheTarget()
    {
        var random = new Random(12);
        for (int trial = 0; trial < 300; trial++)
        {
            var source = Enumerable.Range(0, random.Next(0, 25)).Select(_ => random.Next(5)).ToArray();
            var target = Enumerable.Range(0, random.Next(0, 25)).Select(_ => random.Next(5)).ToArray();
            var ops = TokenAlignment.EditOps(source, target);

            Assert.Equal(ReferenceDistance(source, target), ops.Count);
            Assert.Equal(ops.Count, TokenAlignment.Distance(source, target));
            Assert.Equal(target, Apply(source, target, ops));

            // Kept tokens: the same tokens in the same order on both sides.
            var (targetChanged, sourceChanged) = TokenAlignment.Labels(source, target);
            Assert.Equal(source.Where((_, i) => !sourceChanged[i]), target.Where((_, j) => !targetChanged[j]));
        }
    }

    /// <summary>Rebuilds the target from the source by the ops (left to right, as python-Levenshtein's apply_edit).</summary>
    private static int[] Apply(int[] source, int[] target, IReadOnlyList<EditOp> ops)
    {
        var result = new List<int>();
        int next = 0;
        foreach (var op in ops)
        {
            while (next < op.SourcePosition) result.Add(source[next++]);
            switch (op.Kind)
            {
                case EditKind.Replace: result.Add(target[op.TargetPosition]); next++; break;
                case EditKind.Insert: result.Add(target[op.TargetPosition]); break;
                case EditKind.Delete: next++; break;
            }
        }
        while (next < source.Length) result.Add(source[next++]);
        return [.. result];
    }

    /// <summary>Textbook recursion with memoisation: the independent reference for the distance.</summary>
    private static int ReferenceDistance(int[] a, int[] b)
    {
        var memo = new Dictionary<(int, int), int>();
        int D(int i, int j)
        {
            if (i == 0) return j;
            if (j == 0) return i;
            if (memo.TryGetValue((i, j), out var v)) return v;
            return memo[(i, j)] = Math.Min(Math.Min(D(i - 1, j) + 1, D(i, j - 1) + 1), D(i - 1, j - 1) + (a[i - 1] == b[j - 1] ? 0 : 1));
        }
        return D(a.Length, b.Length);
    }
}

public class InlineDiffTests
{
    private static string Render(int[] source, int[] target) => string.Join(" ", AlignLab.Core.Alignment.InlineDiff.Build(source, target).Select(s =>
        s.Kind switch
        {
            AlignLab.Core.Alignment.DiffKind.Deleted => $"-[{string.Join(",", s.Tokens)}]",
            AlignLab.Core.Alignment.DiffKind.Inserted => $"+[{string.Join(",", s.Tokens)}]",
            AlignLab.Core.Alignment.DiffKind.Substituted => $"[{string.Join(",", s.Replaced!)}→{string.Join(",", s.Tokens)}]",
            _ => string.Join(",", s.Tokens),
        }));

    [Theory]
    [InlineData(new[] { 1, 2, 3 }, new[] { 1, 4, 3 }, "1 [2→4] 3")]                     // substitution
    [InlineData(new[] { 1, 2, 3 }, new[] { 1, 2, 3 }, "1,2,3")]                         // identical
    [InlineData(new[] { 1, 3 }, new[] { 1, 2, 3 }, "1 +[2] 3")]                          // insertion
    [InlineData(new[] { 1, 2, 3 }, new[] { 3 }, "-[1,2] 3")]                             // deletions merge
    [InlineData(new int[0], new[] { 5, 6 }, "+[5,6]")]                                   // empty source
    [InlineData(new[] { 5, 6 }, new int[0], "-[5,6]")]                                   // empty target
    [InlineData(new[] { 1, 7, 8, 4 }, new[] { 1, 9, 9, 4 }, "1 [7,8→9,9] 4")]          // a run of substitutions: one old→new
    [InlineData(new[] { 1, 7, 8, 4 }, new[] { 1, 9, 4 }, "1 -[7] [8→9] 4")]            // a deletion and a substitution, in editops' order
    [InlineData(new[] { 1, 7, 4 }, new[] { 1, 9, 5, 4 }, "1 +[9] [7→5] 4")]            // an insertion and a substitution: 9 5 reads in order
    [InlineData(new[] { 3, 1, 2 }, new[] { 1, 2, 6 }, "-[3] 1,2 +[6]")]               // edits at both ends
    public void LaysTheEditOperationsOutInline(int[] source, int[] target, string expected) => Assert.Equal(expected, Render(source, target));

    [Fact]
    public void BothTextsReadInOrderAlongTheDiffAndEveryEditIsCounted()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 300; trial++)
        {
            var source = Enumerable.Range(0, random.Next(0, 12)).Select(_ => random.Next(5)).ToArray();
            var target = Enumerable.Range(0, random.Next(0, 12)).Select(_ => random.Next(5)).ToArray();
            var segments = AlignLab.Core.Alignment.InlineDiff.Build(source, target);
            Assert.Equal(source, segments.SelectMany(s => s.Kind switch
            {
                AlignLab.Core.Alignment.DiffKind.Inserted => [],
                AlignLab.Core.Alignment.DiffKind.Substituted => s.Replaced!,
                _ => s.Tokens,
            }));
            Assert.Equal(target, segments.Where(s => s.Kind != AlignLab.Core.Alignment.DiffKind.Deleted).SelectMany(s => s.Tokens));
            Assert.Equal(AlignLab.Core.Alignment.TokenAlignment.Distance(source, target),
                segments.Where(s => s.Kind != AlignLab.Core.Alignment.DiffKind.Unchanged).Sum(s => s.Tokens.Count));
        }
    }

    [Fact]
    public void PositionLabelsAgreeWithTheAlignmentOnASubstitutionAndDisagreeOnAnInsertion()
    {
        // A substitution keeps positions: both readings mark position 1 on both sides.
        var (target, source) = TokenAlignment.PositionLabels([5, 6, 7, 0], [5, 8, 7, 0]);
        var (alignedTarget, alignedSource) = TokenAlignment.Labels([5, 6, 7, 0], [5, 8, 7, 0]);
        Assert.Equal([false, true, false, false], target);
        Assert.Equal([false, true, false, false], source);
        Assert.Equal(alignedTarget, target);
        Assert.Equal(alignedSource, source);

        // An insertion at the front shifts every later token: the alignment marks only the new token, position marks all.
        var aligned = TokenAlignment.Labels([5, 6, 7], [9, 5, 6, 7]);
        Assert.Equal([true, false, false, false], aligned.TargetChanged);
        Assert.Equal([false, false, false], aligned.SourceChanged);
        var positional = TokenAlignment.PositionLabels([5, 6, 7], [9, 5, 6, 7]);
        Assert.Equal([true, true, true, true], positional.TargetChanged);
        Assert.Equal([true, true, true], positional.SourceChanged);
    }
}
