namespace AlignLab.Core.Alignment;

public enum DiffKind { Unchanged, Deleted, Inserted, Substituted }

/// <summary>A run of tokens of one kind in an inline diff: for <see cref="DiffKind.Substituted"/>, the target tokens
/// that replaced the source tokens in <paramref name="Replaced"/>.</summary>
public sealed record DiffSegment(DiffKind Kind, IReadOnlyList<int> Tokens, IReadOnlyList<int>? Replaced = null);

/// <summary>The Levenshtein edit operations of <see cref="TokenAlignment.EditOps"/> laid out as one inline diff:
/// unchanged tokens once, deletions, insertions and substitutions (old→new) where they happen, adjacent tokens of
/// one kind merged into one segment. Reading the unchanged, deleted and old tokens in order gives the source; the
/// unchanged, inserted and new ones, the target. What reviewers and annotators read.</summary>
public static class InlineDiff
{
    public static IReadOnlyList<DiffSegment> Build(ReadOnlySpan<int> source, ReadOnlySpan<int> target)
    {
        // Each piece: its kind, and the source and target token it involves (−1 where none).
        var pieces = new List<(DiffKind Kind, int Source, int Target)>();
        int i = 0, j = 0;
        foreach (var op in TokenAlignment.EditOps(source, target))
        {
            for (; i < op.SourcePosition && j < op.TargetPosition; i++, j++) pieces.Add((DiffKind.Unchanged, source[i], target[j]));
            switch (op.Kind)
            {
                case EditKind.Replace:
                    pieces.Add((DiffKind.Substituted, source[i++], target[j++]));
                    break;
                case EditKind.Insert:
                    pieces.Add((DiffKind.Inserted, -1, target[j++]));
                    break;
                case EditKind.Delete:
                    pieces.Add((DiffKind.Deleted, source[i++], -1));
                    break;
            }
        }
        while (j < target.Length) pieces.Add((DiffKind.Unchanged, source[i++], target[j++]));

        // Adjacent pieces of one kind merge; order is kept, so both texts read in order along the diff.
        var segments = new List<DiffSegment>();
        for (int start = 0; start < pieces.Count;)
        {
            var kind = pieces[start].Kind;
            var stop = start;
            while (stop < pieces.Count && pieces[stop].Kind == kind) stop++;
            var run = pieces.GetRange(start, stop - start);
            segments.Add(kind switch
            {
                DiffKind.Deleted => new DiffSegment(kind, [.. run.Select(p => p.Source)]),
                DiffKind.Substituted => new DiffSegment(kind, [.. run.Select(p => p.Target)], [.. run.Select(p => p.Source)]),
                _ => new DiffSegment(kind, [.. run.Select(p => p.Target)]),
            });
            start = stop;
        }
        return segments;
    }
}
