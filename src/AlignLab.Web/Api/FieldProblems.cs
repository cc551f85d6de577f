using Microsoft.AspNetCore.Http.HttpResults;

namespace AlignLab.Web.Api;

/// <summary>Refusals other than 400 that still name the fields at fault, shaped like a validation problem
/// (<c>errors</c> by field): 413 for uploads past the limits, 429 for runs past a user's limit.</summary>
public static class FieldProblems
{
    public static ProblemHttpResult TooLarge(IReadOnlyDictionary<string, string[]> errors, string title) =>
        With(StatusCodes.Status413PayloadTooLarge, title, errors);

    public static ProblemHttpResult TooManyRuns(IReadOnlyDictionary<string, string[]> errors) =>
        With(StatusCodes.Status429TooManyRequests, "Too many runs at once", errors);

    private static ProblemHttpResult With(int status, string title, IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary()) { Status = status, Title = title });
}
