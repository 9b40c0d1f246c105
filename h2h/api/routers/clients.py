"""Who am I: lets a system check its token and see which role it acts in."""

from ninja import Router, Schema

from h2h.api.problems import COMMON_RESPONSES

router = Router(tags=["Client"])


class Me(Schema):
    client: str
    role: str
    organisation: str


@router.get("/me", response={200: Me, **COMMON_RESPONSES}, summary="The client this token belongs to")
def me(request):
    client = request.api_client
    return Me(client=client.name, role=client.user.role, organisation=client.user.organisation.code)
