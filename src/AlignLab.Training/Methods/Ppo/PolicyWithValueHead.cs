using AlignLab.Training.Inference;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Ppo;

/// <summary>Actor and critic: the policy's logits, and a scalar value per position from a zero-initialised linear head
/// (v_head.weight / v_head.bias beside the model's own parameter names). The head reads the policy's own final hidden
/// states (TRL's value head), or those of a separate critic backbone (under critic.*): AlpacaFarm's
/// init_value_with_reward, where the critic starts as the reward model's backbone and trains in full beside the
/// policy.</summary>
public sealed class PolicyWithValueHead : nn.Module
{
    private readonly CausalLM _policy;
    private readonly CausalLM? _critic;
    private readonly Linear v_head;

    public PolicyWithValueHead(CausalLM policy, CausalLM? critic = null) : base(nameof(PolicyWithValueHead))
    {
        _policy = policy;
        _critic = critic;
        foreach (var (name, child) in policy.named_children()) register_module(name, child);
        if (critic is not null) register_module("critic", new Backbone(critic));
        v_head = nn.Linear((critic ?? policy).Config.HiddenSize, 1);
        using (no_grad())
        {
            v_head.weight!.zero_();
            v_head.bias!.zero_();
        }
        register_module("v_head", v_head);
    }

    public CausalLM Policy => _policy;

    /// <summary>Whether the values come from a critic of their own rather than the policy's backbone.</summary>
    public bool HasSeparateCritic => _critic is not null;

    /// <summary>Logits (B, T, V) and values (B, T): the value at position t estimates the return after token t.</summary>
    public (Tensor Logits, Tensor Values) Forward(Tensor inputIds, Tensor attentionMask)
    {
        var hidden = _policy.Hidden(inputIds, attentionMask);
        var valueHidden = _critic is null ? hidden : _critic.Hidden(inputIds, attentionMask);
        return (_policy.Logits(hidden), v_head.forward(valueHidden).squeeze(-1));
    }

    /// <summary>The response tokens' log-probs (and entropy) under the policy and values (B, T), of right-padded rows, which
    /// need no attention mask (<see cref="TokenLogProbs.OfResponses(CausalLM, Tensor, Tensor, Unpadding, bool)"/>).</summary>
    /// <param name="rows">Where the rows' real and response tokens are: the models' token-wise layers skip the padding and
    /// the policy's head runs on the positions that predict response tokens (<see cref="Unpadding"/>).</param>
    public (TokenLogProbs Tokens, Tensor Values) Score(Tensor inputIds, Tensor responseMask, Unpadding rows, bool withEntropy)
    {
        var hidden = _policy.Hidden(inputIds, unpadded: rows);
        var valueHidden = _critic is null ? hidden : _critic.Hidden(inputIds, unpadded: rows);
        return (TokenLogProbs.OfResponses(hidden, _policy.Logits, inputIds, responseMask, rows, withEntropy), v_head.forward(valueHidden).squeeze(-1));
    }

    /// <summary>A critic from a reward model's folder (a decoder *ForSequenceClassification): its backbone, without its
    /// score head. It reads the policy's token ids, so it must share the policy's vocabulary.</summary>
    /// <param name="runtime">The run's disable_dropout and share_prefixes, which hold for the critic as for the policy.</param>
    public static CausalLM CriticFrom(string rewardModelFolder, CausalLM policy, RuntimeOptions runtime)
    {
        var config = ModelFolder.ReadConfig(rewardModelFolder);
        if (config.VocabSize != policy.Config.VocabSize)
            throw new ArgumentException($"critic: the reward model's vocabulary ({config.VocabSize} tokens) is not the policy's ({policy.Config.VocabSize}); " +
                "a critic initialised from the reward model reads the policy's tokens, so both must share a tokenizer");
        var backbone = SequenceClassifier.Load(rewardModelFolder).Backbone;
        if (runtime.DisableDropout) backbone.DisableDropout();
        backbone.SharePrefixes = runtime.SharePrefixes;
        return backbone;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        // The critic's LM head is not one of its registered parts.
        if (disposing) _critic?.Dispose();
    }

    /// <summary>A causal LM's modules without its LM head, which a critic never uses (and so never trains or saves).</summary>
    private sealed class Backbone : nn.Module
    {
        public Backbone(CausalLM lm) : base(nameof(Backbone))
        {
            foreach (var (name, child) in lm.named_children())
                if (name != "lm_head") register_module(name, child);
        }
    }
}
