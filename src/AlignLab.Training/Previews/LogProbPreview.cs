using AlignLab.Training.Models;
using F = TorchSharp.torch.nn.functional;
using static TorchSharp.torch;

namespace AlignLab.Training.Previews;

/// <summary>The per-token log-probabilities of a response under a model: where the model is sure and where it is not.
/// Each response token's log p is taken given the prompt (<see cref="Core.Previews.LogProbPrompt"/>) and everything
/// before it.</summary>
public static class LogProbPreview
{
    /// <summary>log p(response[k] | prompt, response[&lt;k]) for every response token, in float64 from a float32 forward pass.</summary>
    public static double[] ResponseLogProbs(CausalLM model, int[] prompt, int[] response)
    {
        if (response.Length == 0) return [];
        if (prompt.Length == 0) throw new ArgumentException("the prompt has no tokens, so the first response token has nothing to be predicted from");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long[] ids = [.. prompt.Select(i => (long)i), .. response.Select(i => (long)i)];
        var input = tensor(ids, [1, ids.Length]);
        // Only the positions that predict response tokens go through the head: a long prompt costs no (T, vocab) logits.
        var hidden = model.Hidden(input).narrow(1, prompt.Length - 1, response.Length);               // (1, R, C)
        var logits = model.Logits(hidden);                                                             // (1, R, V)
        var logp = F.log_softmax(logits.to(ScalarType.Float64), -1);
        var targets = tensor(response.Select(i => (long)i).ToArray(), [1, response.Length, 1]);
        return logp.gather(-1, targets).view(response.Length).data<double>().ToArray();
    }
}
