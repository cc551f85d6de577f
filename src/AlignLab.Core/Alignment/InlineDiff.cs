namespace AlignLab.Core.Alignment;

public enum DiffKind { Unchanged, Deleted, Inserted }

/// <summary>A run of tokens of one kind in an inline diff.</summary>
public sealed record DiffSegment(DiffKind Kind, IReadOnlyList<int> Tokens);

/// <summary>The Levenshtein edit operations of <see cref="TokenAlignment.EditOps"/> laid out as one inline diff:
/// unchanged tokens once, a substitution as its deleted source token followed by its inserted target token,
/// adjacent tokens of one kind merged into one segment. What reviewers and annotators read.</summary>
public static class InlineDiff
{
    public static IReadOnlyList<DiffSegment> Build(ReadOnlySpan<int> source, ReadOnlySpan<int> target)
    {
        var pieces = new List<(DiffKind Kind, int Token)>();
        int i = 0, j = 0;
        foreach (var op in TokenAlignment.EditOps(source, target))
        {
            for (; i < op.SourcePosition && j < op.TargetPosition; i++, j++) pieces.Add((DiffKind.Unchanged, target[j]));
            switch (op.Kind)
            {
                case EditKind.Replace:
                    pieces.Add((DiffKind.Deleted, source[i++]));
                    pieces.Add((DiffKind.Inserted, target[j++]));
                    break;
                case EditKind.Insert:
                    pieces.Add((DiffKind.Inserted, target[j++]));
                    break;
                case EditKind.Delete:
                    pieces.Add((DiffKind.Deleted, source[i++]));
                    break;
            }
        }
        while (j < target.Length) pieces.Add((DiffKind.Unchanged, target[j++]));

        // Within a run of edits, deletions first: "<del>Rome</del><ins>Tokyo</ins>" rather than interleaved tokens.
        var segments = new List<DiffSegment>();
        for (int start = 0; start < pieces.Count;)
        {
            if (pieces[start].Kind == DiffKind.Unchanged)
            {
                var end = start;
                while (end < pieces.Count && pieces[end].Kind == DiffKind.Unchanged) end++;
                segments.Add(new DiffSegment(DiffKind.Unchanged, pieces.GetRange(start, end - start).Select(p => p.Token).ToList()));
                start = end;
                continue;
            }
            var stop = start;
            while (stop < pieces.Count && pieces[stop].Kind != DiffKind.Unchanged) stop++;
            var run = pieces.GetRange(start, stop - start);
            foreach (var kind in new[] { DiffKind.Deleted, DiffKind.Inserted })
                if (run.Where(p => p.Kind == kind).Select(p => p.Token).ToList() is { Count: > 0 } tokens)
                    segments.Add(new DiffSegment(kind, tokens));
            start = stop;
        }
        return segments;
    }
}
