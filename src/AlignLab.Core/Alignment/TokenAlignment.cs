namespace AlignLab.Core.Alignment;

/// <summary>Levenshtein alignment of two token-id sequences: the minimum number of insertions, deletions and
/// substitutions (each costing 1) turning <c>source</c> (FIGA's initial response Ŷ) into <c>target</c> (its
/// revision Ỹ), and the edit operations of one such optimal alignment. Among equally short alignments the
/// backtrace from the end prefers keeping a token, then substituting, then deleting, then inserting — so a
/// changed token shows as a substitution rather than a delete/insert pair. O(n·m) time, n·m bytes of memory.</summary>
public static class TokenAlignment
{
    private const byte Keep = 0, Substitute = 1, Remove = 2, Add = 3;

    public static int Distance(ReadOnlySpan<int> source, ReadOnlySpan<int> target)
    {
        var previous = new int[target.Length + 1];
        var current = new int[target.Length + 1];
        for (int j = 0; j <= target.Length; j++) previous[j] = j;
        for (int i = 1; i <= source.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= target.Length; j++)
            {
                var diagonal = previous[j - 1] + (source[i - 1] == target[j - 1] ? 0 : 1);
                current[j] = Math.Min(diagonal, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[target.Length];
    }

    public static IReadOnlyList<EditOp> EditOps(ReadOnlySpan<int> source, ReadOnlySpan<int> target)
    {
        int n = source.Length, m = target.Length, width = m + 1;
        // Costs row by row; the choice at every cell kept for the backtrace.
        var choice = new byte[(n + 1) * width];
        var previous = new int[width];
        var current = new int[width];
        for (int j = 0; j <= m; j++) { previous[j] = j; choice[j] = Add; }
        for (int i = 1; i <= n; i++)
        {
            current[0] = i;
            choice[i * width] = Remove;
            var s = source[i - 1];
            for (int j = 1; j <= m; j++)
            {
                var same = s == target[j - 1];
                int best = previous[j - 1] + (same ? 0 : 1);
                byte move = same ? Keep : Substitute;
                if (previous[j] + 1 < best) { best = previous[j] + 1; move = Remove; }
                if (current[j - 1] + 1 < best) { best = current[j - 1] + 1; move = Add; }
                current[j] = best;
                choice[i * width + j] = move;
            }
            (previous, current) = (current, previous);
        }

        var ops = new List<EditOp>(Math.Max(n, m));
        for (int i = n, j = m; i > 0 || j > 0;)
        {
            switch (choice[i * width + j])
            {
                case Keep: i--; j--; break;
                case Substitute: i--; j--; ops.Add(new EditOp(EditKind.Replace, i, j)); break;
                case Remove: i--; ops.Add(new EditOp(EditKind.Delete, i, j)); break;
                default: j--; ops.Add(new EditOp(EditKind.Insert, i, j)); break;
            }
        }
        ops.Reverse();
        return ops;
    }

    /// <summary>FIGA's token labels (docs/methods.md, FIGA): target positions that an insert or replace writes are
    /// added/substituted; source positions that a delete or replace removes are deleted/substituted.</summary>
    public static (bool[] TargetChanged, bool[] SourceChanged) Labels(ReadOnlySpan<int> source, ReadOnlySpan<int> target)
    {
        var targetChanged = new bool[target.Length];
        var sourceChanged = new bool[source.Length];
        foreach (var op in EditOps(source, target))
        {
            if (op.Kind is EditKind.Insert or EditKind.Replace) targetChanged[op.TargetPosition] = true;
            if (op.Kind is EditKind.Delete or EditKind.Replace) sourceChanged[op.SourcePosition] = true;
        }
        return (targetChanged, sourceChanged);
    }

    /// <summary>The changed positions of “Aligning Large Language Models via Fine-grained Supervision”'s U1 read by
    /// position, as its Eq. 4 assumes responses of equal length: position k is changed on both sides when the tokens there
    /// differ; past the shorter response, every position of the longer one is changed.</summary>
    public static (bool[] TargetChanged, bool[] SourceChanged) PositionLabels(ReadOnlySpan<int> source, ReadOnlySpan<int> target)
    {
        var targetChanged = new bool[target.Length];
        var sourceChanged = new bool[source.Length];
        for (int k = 0; k < Math.Max(source.Length, target.Length); k++)
        {
            var differs = k >= source.Length || k >= target.Length || source[k] != target[k];
            if (k < target.Length) targetChanged[k] = differs;
            if (k < source.Length) sourceChanged[k] = differs;
        }
        return (targetChanged, sourceChanged);
    }
}
