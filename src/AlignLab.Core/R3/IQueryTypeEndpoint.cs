namespace AlignLab.Core.R3;

/// <summary>The configured LLM endpoint as a query-type classifier (GPT-4 in “Preference-free Alignment Learning with Regularized Relevance Reward”).</summary>
public interface IQueryTypeEndpoint
{
    /// <summary>Null when an endpoint is configured; otherwise what is wrong, naming the setting.</summary>
    string? NotConfiguredReason { get; }

    /// <summary>A classifier asking <paramref name="model"/> (empty: the configured model).</summary>
    IQueryTypeClassifier Classifier(string model);
}
