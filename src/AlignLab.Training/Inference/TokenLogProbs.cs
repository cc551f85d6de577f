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

    /// <param name="inputIds">(B, T) prompt followed by response, padded.</param>
    /// <param name="attentionMask">(B, T) 1 for real tokens.</param>
    /// <param name="responseMask">(B, T) 1 for the response tokens to score.</param>
    public static TokenLogProbs Compute(CausalLM model, Tensor inputIds, Tensor attentionMask, Tensor responseMask)
    {
        var logits = model.Forward(inputIds, attentionMask);                                     // (B, T, V)
        return FromLogits(logits, inputIds, responseMask);
    }

    /// <param name="withEntropy">False: skip the entropy (a second pass over the vocabulary); <see cref="Entropy"/> is then zero.</param>
    public static TokenLogProbs FromLogits(Tensor logits, Tensor inputIds, Tensor responseMask, bool withEntropy = true)
    {
        var (B, T) = (inputIds.shape[0], inputIds.shape[1]);
        var logp = F.log_softmax(logits.narrow(1, 0, T - 1).to(ScalarType.Float32), -1);          // (B, T-1, V) predicts 1..T-1
        var targets = inputIds.narrow(1, 1, T - 1).unsqueeze(-1);                                  // (B, T-1, 1)
        var tokenLogp = logp.gather(-1, targets).squeeze(-1);                                      // (B, T-1)
        var entropy = withEntropy ? -(logp.exp() * logp).sum(-1) : zeros_like(tokenLogp);           // (B, T-1)
        var first = zeros(B, 1, dtype: ScalarType.Float32, device: logits.device);
        var mask = responseMask.to(ScalarType.Float32).clone();
        mask.narrow(1, 0, 1).zero_();
        return new TokenLogProbs(cat([first, tokenLogp], 1) * mask, cat([first, entropy], 1) * mask, mask);
    }

    public void Dispose()
    {
        LogProbs.Dispose();
        Entropy.Dispose();
        Mask.Dispose();
    }
}
