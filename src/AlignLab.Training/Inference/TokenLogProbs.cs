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

    /// <summary>The scores of the response tokens of a model pass, with the output head and the log-softmax run only over the
    /// positions that predict a response token of some row, from the batch's earliest response column: a prompt costs no
    /// (T, vocabulary) logits.
    /// The values of <see cref="FromLogits"/> of the full logits, up to float rounding (the head's matmul has another shape).</summary>
    /// <param name="inputIds">Right-padded rows (prompt, response, padding), as every method's batches are
    /// (<see cref="Batching.ResponseBatch"/>). The pass takes no attention mask: under causal attention a real token never
    /// sees the padding after it, and its positions 0 … n − 1 are those a mask would give, so only the outputs at padded
    /// positions differ, which nothing reads. Attention then needs no bias, which on CUDA lets it take the flash kernel
    /// (it takes none); on the CPU the speed is the same (method-throughput.md).</param>
    /// <param name="firstResponse">The batch's earliest response column, known on the host from its prompts
    /// (<see cref="Batching.ResponseBatch.FirstResponse"/>), so nothing waits for the device. No row may hold a response
    /// token before it.</param>
    /// <param name="unpadded">Where the rows' real and response tokens are (<see cref="Batching.ResponseBatch.Unpadded"/>): the
    /// model's token-wise layers then skip the padding, and the head runs on the positions that predict response tokens
    /// alone (<see cref="Unpadding"/>), with the same scores. Its response tokens must be those of
    /// <paramref name="responseMask"/>.</param>
    public static TokenLogProbs OfResponses(CausalLM model, Tensor inputIds, Tensor responseMask, long firstResponse, bool withEntropy = true,
        Unpadding? unpadded = null) =>
        OfResponses(model.Hidden(inputIds, unpadded: unpadded), model.Logits, firstResponse, inputIds, responseMask, withEntropy, unpadded);

    /// <param name="hidden">(B, T, C) final hidden states.</param>
    /// <param name="head">The output head: hidden states (…, C) to logits (…, V).</param>
    public static TokenLogProbs OfResponses(Tensor hidden, Func<Tensor, Tensor> head, long firstResponse, Tensor inputIds, Tensor responseMask,
        bool withEntropy = true, Unpadding? unpadded = null)
    {
        if (unpadded?.Predicting is { } predicting) return ScorePacked(hidden, head, predicting, inputIds, responseMask, withEntropy);
        var T = inputIds.shape[1];
        var start = Math.Clamp(firstResponse, 1, T);                                                // position 0 predicts nothing
        // Hidden positions start − 1 … T − 2 predict tokens start … T − 1.
        return Score(start == T ? null : head(hidden.narrow(1, start - 1, T - start)), start, inputIds, responseMask, withEntropy);
    }

    /// <param name="withEntropy">False: skip the entropy (a second pass over the vocabulary); <see cref="Entropy"/> is then zero.</param>
    public static TokenLogProbs FromLogits(Tensor logits, Tensor inputIds, Tensor responseMask, bool withEntropy = true) =>
        Score(logits.narrow(1, 0, inputIds.shape[1] - 1), 1, inputIds, responseMask, withEntropy);

    /// <summary>The head and the log-softmax over the R positions that predict a response token, gathered from the hidden
    /// states; their scores placed back at the predicted tokens' positions.</summary>
    /// <param name="predicting">(R) flat positions in the (B · T) layout (<see cref="Unpadding.Predicting"/>).</param>
    private static TokenLogProbs ScorePacked(Tensor hidden, Func<Tensor, Tensor> head, Tensor predicting, Tensor inputIds, Tensor responseMask, bool withEntropy)
    {
        var (B, T) = (inputIds.shape[0], inputIds.shape[1]);
        var mask = responseMask.to(ScalarType.Float32).clone();
        mask.narrow(1, 0, 1).zero_();
        var predicted = predicting + 1;                                                             // (R) the tokens' positions
        var logp = F.log_softmax(head(hidden.reshape(B * T, hidden.shape[2]).index_select(0, predicting)).to(ScalarType.Float32), -1);   // (R, V)
        var tokenLogp = logp.gather(-1, inputIds.reshape(B * T).index_select(0, predicted).unsqueeze(-1)).squeeze(-1);           // (R)
        Tensor Placed(Tensor values) => zeros(B * T, dtype: ScalarType.Float32, device: inputIds.device).index_copy(0, predicted, values).view(B, T) * mask;
        return new TokenLogProbs(Placed(tokenLogp), withEntropy ? Placed(-(logp.exp() * logp).sum(-1)) : zeros(B, T, dtype: ScalarType.Float32, device: inputIds.device), mask);
    }

    /// <param name="predicting">(B, T − start, V): the logits that predict tokens start … T − 1 (null when start = T).</param>
    private static TokenLogProbs Score(Tensor? predicting, long start, Tensor inputIds, Tensor responseMask, bool withEntropy)
    {
        var (B, T) = (inputIds.shape[0], inputIds.shape[1]);
        var before = zeros(B, start, dtype: ScalarType.Float32, device: inputIds.device);            // scores nothing
        var mask = responseMask.to(ScalarType.Float32).clone();
        mask.narrow(1, 0, 1).zero_();
        if (predicting is null) return new TokenLogProbs(before.clone(), before, mask);
        var logp = F.log_softmax(predicting.to(ScalarType.Float32), -1);                            // (B, T − start, V)
        var targets = inputIds.narrow(1, start, T - start).unsqueeze(-1);                           // (B, T − start, 1)
        var tokenLogp = logp.gather(-1, targets).squeeze(-1);                                       // (B, T − start)
        var entropy = withEntropy ? -(logp.exp() * logp).sum(-1) : zeros_like(tokenLogp);            // (B, T − start)
        return new TokenLogProbs(cat([before, tokenLogp], 1) * mask, cat([before, entropy], 1) * mask, mask);
    }

    public void Dispose()
    {
        LogProbs.Dispose();
        Entropy.Dispose();
        Mask.Dispose();
    }
}
