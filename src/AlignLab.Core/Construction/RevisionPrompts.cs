namespace AlignLab.Core.Construction;

/// <summary>The two-step revision prompts of “Beyond Imitation” appendix B, with Response 1 the initial response Ŷ and
/// Response 2 the reference Y: first classify the reason Ŷ is worse, then ask for a minimal edit of Ŷ specific to
/// that reason. The paper gives no prompt for reason D; AlignLab's own asks to remove what is harmful or off-topic
/// with the same minimal-edit constraint.</summary>
public static class RevisionPrompts
{
    public static string Classify(string question, string initial, string reference) =>
        Frame(question, initial, reference) +
        "Among them, the quality of Response 1 is inferior to that of Response 2. Please compare them and choose one of the following " +
        "four possible reasons for the area where Response 1 performed the worst: A. Needs more accurate content, B. Needs more " +
        "comprehensive content or more details, C. Requires adjustments in structure, D. Other reasons (such as containing harmful " +
        "information or going off-topic). Do not include analysis, but just return the choice.";

    public static string Revise(RevisionReason reason, string question, string initial, string reference) =>
        Frame(question, initial, reference) + reason switch
        {
            RevisionReason.A =>
                "Please replace the content corresponding to Response 1 with the accurate and high-quality essence from Response 2, and " +
                "remain the original structure of Response 1. Ensure that the edit distance between the optimized Response 1 and the " +
                "Response 1 is as low as possible.",
            RevisionReason.B =>
                "Please incorporate the comprehensive topic or the details from Response 2 into Response 1, or if necessary, replace any " +
                "synonymous content from Response 1 with that from Response 2. You must remain the original structure of Response 1, " +
                "ensure the edit distance between the optimized Response 1 with the Response 1 is as low as possible, and not add new " +
                "contents other than those contained in Response 1 and Response 2.",
            RevisionReason.C =>
                "The structure of Response 2 is well-organized, featuring elements including but not limited to: 1. point-by-point " +
                "addressing, 2. providing an overview of the question before answering. Use the structure of Response 2 to rephrase " +
                "Response 1. Ensure that the optimized Response 1 should maintain a relatively low edit distance from the original Response 1.",
            _ =>
                "Please remove or replace the harmful or off-topic content of Response 1 using Response 2, and remain the original " +
                "structure of Response 1. Ensure that the edit distance between the optimized Response 1 and the Response 1 is as low as possible.",
        } + " Return only the optimized Response 1.";

    /// <summary>X as the prompts show it: the instruction, then its input on the next line when there is one.</summary>
    public static string Question(string instruction, string input) =>
        string.IsNullOrWhiteSpace(input) ? instruction : instruction + "\n" + input;

    private static string Frame(string question, string initial, string reference) =>
        $"Question: {question}\nResponse 1: {initial}\nResponse 2: {reference}\n";
}
