"""REST API serializers (api.viewsets): the same validation as the admin.

Every write runs the model's `full_clean()` (field validators, `clean()`, named constraints), so
the API refuses what the admin refuses, with the same messages; an arrangement needs two or more
distinct parties, as the admin's party inline requires.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from agreements import services, tables
from agreements.models import Arrangement, ArrangementParty, Bloc, Claim, Economy, Source, Territory


class FullCleanMixin(serializers.ModelSerializer):
    """Validate the would-be instance with `full_clean()`, as the admin's ModelForms do."""

    clean_exclude: tuple[str, ...] = ()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        model: type[models.Model] = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in self.clean_exclude:
                setattr(instance, name, value)
        try:
            instance.full_clean(exclude=list(self.clean_exclude))
        except DjangoValidationError as error:
            raise serializers.ValidationError(get_error_detail(error)) from None
        return attrs

    def validate_primary_key(self, value: Any) -> Any:
        if self.instance is not None and value != self.instance.pk:
            raise serializers.ValidationError("A code cannot be changed; create a new record instead.")
        return value


class TerritorySerializer(FullCleanMixin):
    class Meta:
        model = Territory
        fields = tables.TERRITORIES.record_fields

    def validate_iso3(self, value: str) -> str:
        return self.validate_primary_key(value)


class EconomySerializer(FullCleanMixin):
    class Meta:
        model = Economy
        fields = tables.ECONOMIES.record_fields

    def validate_code(self, value: str) -> str:
        return self.validate_primary_key(value)


class BlocSerializer(FullCleanMixin):
    class Meta:
        model = Bloc
        fields = tables.BLOCS.record_fields

    def validate_code(self, value: str) -> str:
        return self.validate_primary_key(value)


class ClaimSerializer(FullCleanMixin):
    economy = serializers.SlugRelatedField(slug_field="code", queryset=Economy.objects.all())

    class Meta:
        model = Claim
        fields = ("id", *tables.CLAIMS.record_fields)

    def create(self, validated_data: dict[str, Any]) -> Claim:
        return services.claim_save(claim=Claim(**validated_data))

    def update(self, instance: Claim, validated_data: dict[str, Any]) -> Claim:
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.claim_save(claim=instance)


class SourcesField(serializers.ListField):
    """An arrangement's sources in order, each its URL or its citation (as in the CSV files)."""

    child = serializers.CharField(max_length=1000)

    def to_representation(self, data: Any) -> list[str]:
        return [source.text for source in data.all()]


PARTY_IN_FORCE_FIELDS = services.PARTY_FACTS


class PartyInForceSerializer(serializers.ModelSerializer):
    """A party's own in-force facts (read only here; edited in the admin or loaded from data/)."""

    economy = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # Empty without a date of its own ("day", "month", "year" or "by" with one).
    effective_precision = serializers.CharField(read_only=True)

    class Meta:
        model = ArrangementParty
        fields = ("economy", *PARTY_IN_FORCE_FIELDS)
        read_only_fields = fields


class ArrangementSerializer(FullCleanMixin):
    parties = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Economy.objects.all(),
        many=True,
        help_text="Economy codes of the parties: two or more, each once.",
    )
    sources = SourcesField(
        required=False,
        help_text="Each a URL (http:// or https://) or a citation, in order.",
    )
    party_in_force = PartyInForceSerializer(
        source="party_links",
        many=True,
        read_only=True,
        help_text="Each party's own in-force date, precision, whether it is unknown, source and note. "
        "A party without a date (and not unknown) takes the arrangement's effective_date; two parties "
        "count as partners on the in-force basis from the later of their two dates.",
    )
    clean_exclude = ("parties", "sources")

    class Meta:
        model = Arrangement
        fields = (*tables.ARRANGEMENTS.record_fields, "party_in_force")

    def validate_key(self, value: str) -> str:
        if self.instance is not None and value != self.instance.key:
            raise serializers.ValidationError("A key cannot be changed; create a new record instead.")
        return value

    def validate_parties(self, value: list[Economy]) -> list[Economy]:
        codes = [economy.code for economy in value]
        if services.repeated_parties(codes):
            raise serializers.ValidationError("An economy can be a party to an arrangement only once.")
        if services.too_few_parties(codes):
            raise serializers.ValidationError("An arrangement needs two or more distinct parties.")
        return value

    def validate_sources(self, value: list[str]) -> list[str]:
        entries = [entry.strip() for entry in value if entry.strip()]
        for entry in entries:
            try:
                Source(**Source.fields_for(entry)).clean_fields(exclude=["arrangement", "position"])
            except DjangoValidationError as error:
                raise serializers.ValidationError(f"{entry!r}: {' '.join(error.messages)}") from None
        return entries

    def create(self, validated_data: dict[str, Any]) -> Arrangement:
        parties = validated_data.pop("parties")
        sources = validated_data.pop("sources", [])
        return services.arrangement_save(
            arrangement=Arrangement(**validated_data),
            parties=[economy.code for economy in parties],
            sources=sources,
        )

    def update(self, instance: Arrangement, validated_data: dict[str, Any]) -> Arrangement:
        parties = validated_data.pop("parties", None)
        sources = validated_data.pop("sources", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.arrangement_save(
            arrangement=instance,
            parties=None if parties is None else [economy.code for economy in parties],
            sources=sources,
        )


# The counting endpoints (api.views): read-only answers of the counting engine, not records.
# Their keys and value formats are the API's stable contract (README, "The JSON API").


class OutputSerializer(serializers.Serializer):
    """A serializer that only writes answers (the counting endpoints): its fields are copied and
    bound once per class, not on every instance.

    DRF deep-copies a serializer's declared fields for each instance, so that a field bound to one
    answer cannot leak state into another; for the summary that copy cost more than counting it
    (about 0.4 ms a request). These fields read only the object they are given: none is written,
    validated or reads the serializer's context, so one bound set serves every answer.
    """

    @property
    def fields(self) -> Any:  # DRF's is a cached_property (untyped in the stubs)
        cls = type(self)
        bound = cls.__dict__.get("_bound_fields")
        if bound is None:
            # Bound to an empty instance of the class, so that no answer is kept alive by them.
            bound = serializers.Serializer.fields.func(cls())
            cls._bound_fields = bound
        return bound

    @classmethod
    def represent(cls, instance: Any) -> dict[str, Any]:
        """`cls(instance).data`, as a plain dict, without a serializer per answer: DRF builds one
        (itself a field), wraps each attribute read in its error handling and the result in a
        ReturnDict, which cost the summary API more than counting (issue 16). Each field reads
        its source and writes its value as in DRF's `to_representation` (None stays None);
        tests/api/test_counting_api.py compares the two on every endpoint's answers."""
        plan = cls.__dict__.get("_plan")
        if plan is None:
            fields = cls().fields
            plan = [
                (name, tuple(field.source_attrs), field)
                for name, field in fields.items()
                if not field.write_only
            ]
            cls._plan = plan
        out: dict[str, Any] = {}
        for name, attrs, field in plan:
            value = instance
            for attr in attrs:
                value = value[attr] if isinstance(value, Mapping) else getattr(value, attr)
            out[name] = None if value is None else field.to_representation(value)
        return out


class ParameterErrorSerializer(OutputSerializer):
    """The 400 body of a counting endpoint: each bad parameter with its messages."""

    error = serializers.CharField()
    parameters = serializers.ListField(child=serializers.CharField())
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class SummarySerializer(OutputSerializer):
    """One economy's partners on one day (`agreements.counting.Summary`)."""

    economy = serializers.CharField()
    as_of = serializers.DateField()
    basis = serializers.CharField()
    evidence = serializers.CharField()
    partner_economies = serializers.IntegerField()
    partner_countries = serializers.IntegerField()
    by_bloc = serializers.DictField(child=serializers.IntegerField())
    rank_by_countries = serializers.IntegerField(allow_null=True)
    rank_by_economies = serializers.IntegerField(allow_null=True)
    partners = serializers.ListField(child=serializers.CharField())
    countries = serializers.ListField(child=serializers.CharField())


class RankedEconomySerializer(OutputSerializer):
    economy = serializers.CharField()
    name = serializers.CharField()
    value = serializers.IntegerField()
    rank = serializers.IntegerField()


class RankingSerializer(OutputSerializer):
    """Every economy ranked on one day, with the parameters counted."""

    as_of = serializers.DateField()
    by = serializers.CharField()
    basis = serializers.CharField()
    evidence = serializers.CharField()
    results = RankedEconomySerializer(many=True)


class LedgerRowSerializer(OutputSerializer):
    """A claim (`agreements.selectors.LedgerRow.claim`) beside the registry's own figure."""

    key = serializers.CharField(source="claim.key")
    authority = serializers.CharField(source="claim.authority")
    stated_on = serializers.DateField(source="claim.stated_on")
    as_of = serializers.DateField(source="claim.as_of")
    economy = serializers.CharField(source="claim.economy_id")
    basis = serializers.CharField(source="claim.basis")
    metric = serializers.CharField(source="claim.metric")
    claimed = serializers.IntegerField(source="claim.value")
    computed = serializers.IntegerField(allow_null=True)
    match = serializers.BooleanField()
    note = serializers.CharField(source="claim.note")
    source_url = serializers.CharField(source="claim.source_url")


class LedgerSerializer(OutputSerializer):
    """The claims ledger: the counts of matches and differences, then every row."""

    count = serializers.IntegerField()
    matches = serializers.IntegerField()
    differences = serializers.IntegerField()
    results = LedgerRowSerializer(many=True)


class QualitySerializer(OutputSerializer):
    """The data-quality page's figures (`agreements.quality.Counts`)."""

    arrangements = serializers.IntegerField()
    by_evidence = serializers.DictField(child=serializers.IntegerField())
    signed_precision = serializers.DictField(child=serializers.IntegerField(), source="by_precision.signed")
    in_force_precision = serializers.DictField(
        child=serializers.IntegerField(), source="by_precision.effective"
    )
    citation_sources = serializers.IntegerField()
    links_not_answering = serializers.IntegerField(
        allow_null=True,
        help_text="Cited URLs that did not answer their last `manage.py check_sources`; "
        "null if never checked.",
    )
    lists = serializers.DictField(child=serializers.IntegerField())
