namespace AlignLab.Core.Methods;

/// <summary>The names runs, the API and the pages know each method by: part of the API's contract, so they live here, and
/// each method's descriptor takes its name from this list.</summary>
public static class MethodNames
{
    public const string Sft = "sft";
    public const string Figa = "figa";
    public const string RewardModel = "reward-model";
    public const string Ppo = "ppo";
    public const string R3Ppo = "r3-ppo";
    public const string SpaConstruction = "spa-construction";
    public const string QueryTypes = "query-types";
    public const string Evaluate = "evaluate";
}
