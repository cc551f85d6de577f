using AlignLab.Training.Models;
using static TorchSharp.torch;

namespace AlignLab.Training.Inference;

/// <summary>The rows of a generation pass that decode steps still compute, with each one's state: its row in the pass,
/// attention mask, prompt length (its positions), whether it has stopped, and its next input. A row that has stopped
/// leaves, with its rows of the KV cache, when <see cref="DropStopped"/> is called, so that the steps after compute only
/// rows still generating: a pass whose rows stop at different lengths no longer runs every row to the longest one.
/// Owns its tensors; each replaced one is disposed.</summary>
public sealed class RowsInFlight : IDisposable
{
    /// <summary>Stopped rows leave once they are at least this share of the rows in flight (and at least one): each
    /// departure copies the KV cache, about what one decode step reads, so a single stopped row among many waits.</summary>
    public const double LeavingShare = 1.0 / 8;

    private readonly long _passRows;
    private Tensor _next;

    /// <param name="mask">(B, width): the pass's attention mask over every position a row can reach.</param>
    /// <param name="promptLengths">(B, 1): each row's prompt length, the position of its first new token.</param>
    /// <param name="next">(B, T): the first input, the left-padded prompts.</param>
    public RowsInFlight(Tensor mask, Tensor promptLengths, Tensor next)
    {
        _passRows = mask.shape[0];
        Mask = mask;
        PromptLengths = promptLengths;
        _next = next;
        Ended = zeros(_passRows, dtype: ScalarType.Bool, device: mask.device);
        Rows = arange(_passRows, dtype: ScalarType.Int64, device: mask.device);
    }

    /// <summary>(R) Int64: the row of the pass that each row in flight is.</summary>
    public Tensor Rows { get; private set; }
    public Tensor Mask { get; private set; }
    public Tensor PromptLengths { get; private set; }
    /// <summary>(R) Bool: the row has drawn a stop token (it is fed padding until it leaves).</summary>
    public Tensor Ended { get; private set; }
    /// <summary>(R, T): the input of the next step. Setting it disposes the one before.</summary>
    public Tensor Next
    {
        get => _next;
        set
        {
            _next.Dispose();
            _next = value;
        }
    }

    public bool Whole => Rows.shape[0] == _passRows;

    /// <summary>Of a (B, …) tensor over the pass's rows, the rows in flight (itself while no row has left).</summary>
    public Tensor OfPass(Tensor perPassRow) => Whole ? perPassRow : perPassRow.index_select(0, Rows);

    /// <summary>Writes the rows in flight's values into their rows of a (B) column of the pass.</summary>
    public void WriteInto(Tensor passColumn, Tensor values)
    {
        if (Whole) passColumn.copy_(values);
        else passColumn.index_copy_(0, Rows, values);
    }

    /// <summary>Looks from the host at which rows have stopped (one read of R flags); when they are at least
    /// <see cref="LeavingShare"/> of the rows in flight, they leave, their cache rows with them.</summary>
    /// <returns>Whether every row in flight has stopped.</returns>
    public bool DropStopped(KvCache cache)
    {
        var ended = Ended.cpu().data<bool>().ToArray();
        var stopped = ended.Count(e => e);
        if (stopped == ended.Length) return true;
        if (stopped == 0 || stopped < LeavingShare * ended.Length) return false;

        var keep = tensor(Enumerable.Range(0, ended.Length).Where(i => !ended[i]).Select(i => (long)i).ToArray(), device: Rows.device);
        cache.Select(keep);
        Rows = Replace(Rows, Rows.index_select(0, keep));
        Mask = Replace(Mask, Mask.index_select(0, keep));
        PromptLengths = Replace(PromptLengths, PromptLengths.index_select(0, keep));
        Ended = Replace(Ended, Ended.index_select(0, keep));
        Next = Next.index_select(0, keep).DetachFromDisposeScope();
        keep.Dispose();
        return false;
    }

    private static Tensor Replace(Tensor old, Tensor kept)
    {
        old.Dispose();
        return kept.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        Rows.Dispose();
        Mask.Dispose();
        PromptLengths.Dispose();
        Ended.Dispose();
        _next.Dispose();
    }
}
