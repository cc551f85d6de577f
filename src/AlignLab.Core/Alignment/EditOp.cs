namespace AlignLab.Core.Alignment;

public enum EditKind { Replace, Insert, Delete }

/// <summary>One Levenshtein edit turning the source into the target, with python-Levenshtein's editops
/// positions: Replace (source[i] becomes target[j]), Insert (target[j] inserted before source[i]),
/// Delete (source[i] removed; j is where the target continues).</summary>
public readonly record struct EditOp(EditKind Kind, int SourcePosition, int TargetPosition);
