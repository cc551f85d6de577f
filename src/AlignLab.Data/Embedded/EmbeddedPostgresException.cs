namespace AlignLab.Data.Embedded;

/// <summary>The private PostgreSQL cluster could not be prepared, started or stopped; the message says why
/// and, where it can, what to do.</summary>
public sealed class EmbeddedPostgresException(string message, Exception? inner = null) : Exception(message, inner);
