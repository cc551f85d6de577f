using AlignLab.Training.Models;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignLab.Training.Inference;

/// <summary>The primitive every method stands on: for a batch of (prompt, response) sequences, the log-probability,
/// NLL and entropy of each response token under the model, with prompt and padding positions masked out.
/// All tensors are (B, T) aligned with the input: position t scores token t given tokens &lt; t (position 0, which
/// has no prefix, is always masked).</summary>
public sealed record TokenLogProbs(Tensor LogProbs, Tensor Entropy, Tensor Mask) : IDisposable
{
    public Tensor Nll => LogProbs.neg() * Mask;

    /// <summary>The scores of the response tokens of a model pass over right-padded rows: the model's token-wise layers run on
    /// the real tokens alone, and the output head and the log-softmax on the positions that predict a response token alone
    /// (<paramref name="rows"/>): no prompt or padding costs (vocabulary) logits. The values of <see cref="FromLogits"/> of
    /// the full padded pass, up to float rounding.</summary>
    /// <param name="inputIds">Right-padded rows (prompt, response, padding), as every method's batches are
    /// (<see cref="Batching.ResponseBatch"/>). The pass takes no attention mask: under causal attention a real token never
    /// sees the padding after it, and its positions 0 … n − 1 are those a mask would give. Attention then needs no bias,
    /// which on CUDA lets it take the flash kernel (it takes none).</param>
    /// <param name="rows">Where the rows' real and response tokens are, known on the host (<see cref="Batching.ResponseBatch.Unpadded"/>),
    /// so nothing waits for the device. Its response tokens must be those of <paramref name="responseMask"/>.</param>
    public static TokenLogProbs OfResponses(CausalLM model, Tensor inputIds, Tensor responseMask, Unpadding rows, bool withEntropy = true) =>
        OfResponses(model.Hidden(inputIds, unpadded: rows), model.Logits, inputIds, responseMask, rows, withEntropy);

    /// <summary>The scores of the response tokens from a pass's hidden states: the head and the log-softmax over the R
    /// positions that predict a response token, gathered from the hidden states; the scores placed back at the predicted
    /// tokens' positions.</summary>
    /// <param name="hidden">(B, T, C) final hidden states.</param>
    /// <param name="head">The output head: hidden states (…, C) to logits (…, V).</param>
    /// <param name="rows">Where the response tokens are (<see cref="Unpadding.Predicting"/>: built with the prompts' lengths).</param>
    public static TokenLogProbs OfResponses(Tensor hidden, Func<Tensor, Tensor> head, Tensor inputIds, Tensor responseMask, Unpadding rows,
        bool withEntropy = true)
    {
        var predicting = rows.Predicting ?? throw new ArgumentException("scoring responses needs the rows' prompt lengths", nameof(rows));
        var (B, T) = (inputIds.shape[0], inputIds.shape[1]);
        var predicted = predicting + 1;                                                             // (R) the tokens' positions
        var logits = head(hidden.reshape(B * T, hidden.shape[2]).index_select(0, predicting));       // (R, V)
        var (tokenLogp, entropy) = Scores(logits, inputIds.reshape(B * T).index_select(0, predicted), withEntropy);   // (R)
        var mask = ScoredMask(responseMask);
        Tensor Placed(Tensor values) => zeros(B * T, dtype: ScalarType.Float32, device: inputIds.device).index_copy(0, predicted, values).view(B, T) * mask;
        return new TokenLogProbs(Placed(tokenLogp), Placed(entropy), mask);
    }

    /// <summary>The scores of the response tokens from the logits of every position (B, T, V).</summary>
    /// <param name="withEntropy">False: skip the entropy (a second pass over the vocabulary); <see cref="Entropy"/> is then zero.</param>
    public static TokenLogProbs FromLogits(Tensor logits, Tensor inputIds, Tensor responseMask, bool withEntropy = true)
    {
        var (B, T) = (inputIds.shape[0], inputIds.shape[1]);
        var (tokenLogp, entropy) = Scores(logits.narrow(1, 0, T - 1), inputIds.narrow(1, 1, T - 1), withEntropy);   // (B, T − 1)
        var first = zeros(B, 1, dtype: ScalarType.Float32, device: inputIds.device);                // position 0 scores nothing
        var mask = ScoredMask(responseMask);
        return new TokenLogProbs(cat([first, tokenLogp], 1) * mask, cat([first, entropy], 1) * mask, mask);
    }

    /// <summary>Each target's log-probability under its logits (…, V), and the distribution's entropy (zeros without).</summary>
    private static (Tensor TokenLogp, Tensor Entropy) Scores(Tensor logits, Tensor targets, bool withEntropy)
    {
        var logp = F.log_softmax(logits.to(ScalarType.Float32), -1);
        var tokenLogp = logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1);
        return (tokenLogp, withEntropy ? -(logp.exp() * logp).sum(-1) : zeros_like(tokenLogp));
    }

    /// <summary>The response mask as Float32 with column 0 cleared: the first token has no prefix to be scored from.</summary>
    private static Tensor ScoredMask(Tensor responseMask)
    {
        var mask = responseMask.to(ScalarType.Float32).clone();
        mask.narrow(1, 0, 1).zero_();
        return mask;
    }

    public void Dispose()
    {
        LogProbs.Dispose();
        Entropy.Dispose();
        Mask.Dispose();
    }
}
